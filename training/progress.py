"""Progress a person can follow in a log file, and a Ctrl-C that stops at a checkpoint.

    trainer.add_callback(LineProgress(every_s=30))     # "step 12/60 (20%) | loss 1.2345 | 2,140 tokens/s | ..."
    with StopOnSignal() as stop:                        # first Ctrl-C/SIGTERM: finish the step, save, stop
        trainer.add_callback(stop.callback())
        trainer.train(...)
    stop.requested                                      # True if the run was stopped early

``LineProgress`` prints one line (flushed) every ``every_s`` seconds, at the first step and at
the last: step N/M, the latest train loss, tokens/s of this session, elapsed time and ETA. It
replaces the Trainer's tqdm bar when the output is not a terminal, where a bar shows nothing
useful until the end. ``StopOnSignal`` turns the first SIGINT/SIGTERM into "stop after this
optimizer step and save a checkpoint" (every process agrees through an all-reduce under DDP),
and a second one into an immediate KeyboardInterrupt.
"""

from __future__ import annotations

import signal
import sys
import time


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:  # None or NaN
        return "?"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s" if m else f"{s}s"


def progress_mode(mode: str) -> str:
    """auto -> bar on a terminal, lines otherwise."""
    if mode == "auto":
        return "bar" if sys.stderr.isatty() else "lines"
    return mode


def make_line_progress(every_s: float = 30.0, out=None):
    from transformers import TrainerCallback

    class LineProgress(TrainerCallback):
        def __init__(self):
            self.every_s, self.out = every_s, out
            self.t0 = self.last_print = None
            self.step0 = self.tokens0 = 0
            self.loss = None
            self.pending = False  # a line is due, but this step's loss is logged right after on_step_end

        def _print(self, text: str) -> None:
            print(text, file=self.out or sys.stdout, flush=True)

        def on_train_begin(self, args, state, control, **kw):
            self.step0 = state.global_step
            if state.is_world_process_zero:
                start = f" (resuming at step {state.global_step})" if state.global_step else ""
                self._print(f"training: {state.max_steps} steps{start}; a progress line every {self.every_s:g} s")

        def on_step_begin(self, args, state, control, **kw):
            if self.t0 is None:  # after the step-0 evaluation: the clock measures training steps
                self.t0 = time.perf_counter()
                self.tokens0 = state.num_input_tokens_seen or 0

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "loss" in logs:
                self.loss = logs["loss"]
                if self.pending:
                    self.pending = False
                    self._emit(state)

        def on_evaluate(self, args, state, control, metrics=None, **kw):
            if state.is_world_process_zero and metrics and "eval_loss" in metrics:
                self._print(f"eval at step {state.global_step}: eval_loss {metrics['eval_loss']:.4f}")

        def on_step_end(self, args, state, control, **kw):
            if not state.is_world_process_zero or self.t0 is None:
                return
            now = time.perf_counter()
            first = state.global_step == self.step0 + 1
            last = state.global_step >= state.max_steps
            if not (first or last or self.last_print is None or now - self.last_print >= self.every_s):
                return
            self.last_print = now
            every = state.logging_steps or 0
            if every and state.global_step % every == 0:
                self.pending = True  # the Trainer logs this step's loss next: print with it
            else:
                self._emit(state)

        def _emit(self, state) -> None:
            self._print(self.line(state, time.perf_counter()))

        def line(self, state, now: float) -> str:
            elapsed = now - self.t0
            done = state.global_step - self.step0
            total = max(state.max_steps, 1)
            eta = (state.max_steps - state.global_step) * elapsed / done if done > 0 else None
            tokens = (state.num_input_tokens_seen or 0) - self.tokens0
            speed = f"{tokens / elapsed:,.0f} tokens/s" if elapsed > 0 and tokens else "- tokens/s"
            loss = f"{self.loss:.4f}" if isinstance(self.loss, (int, float)) else "-"
            return (f"step {state.global_step}/{state.max_steps} ({100 * state.global_step / total:.0f}%) | "
                    f"loss {loss} | {speed} | elapsed {fmt_duration(elapsed)} | ETA {fmt_duration(eta)}")

    return LineProgress()


class StopOnSignal:
    """Context manager: SIGINT/SIGTERM -> graceful stop at the next step end (see the module docstring)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, notice=None):
        self.requested = False
        self.signal_name = None
        self._saved = {}
        self._notice = notice or (lambda text: print(text, file=sys.stderr, flush=True))

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.signal_name = signal.Signals(signum).name
        self._notice(f"{self.signal_name}: stopping after this step and saving a checkpoint "
                     "(press Ctrl-C again to stop at once)")

    def __enter__(self):
        for sig in self.SIGNALS:
            try:
                self._saved[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread: leave signals alone
                pass
        return self

    def __exit__(self, *exc):
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)
        return False

    def callback(self):
        from transformers import TrainerCallback

        outer = self

        class StopCallback(TrainerCallback):
            def on_step_end(self, args, state, control, **kw):
                stop = outer.requested
                if args.world_size > 1:  # every process must stop at the same step, or DDP hangs
                    import torch
                    import torch.distributed as dist

                    flag = torch.tensor([1.0 if stop else 0.0], device=args.device)
                    dist.all_reduce(flag, op=dist.ReduceOp.MAX)
                    stop = bool(flag.item())
                    outer.requested |= stop
                if stop and state.global_step < state.max_steps:
                    control.should_save = True
                    control.should_training_stop = True

        return StopCallback()
