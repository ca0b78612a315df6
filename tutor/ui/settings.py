"""Settings: the instructor's (modes, models, values, locks, class code) or a student's own choices.

The page shows what the signed-in user may change; the core (tutor.policy, tutor.auth)
refuses anything else on the server, whatever the browser sends.
"""

from __future__ import annotations

import streamlit as st

from tutor import auth, policy
from tutor.access import run_mode
from tutor.errors import TutorError
from tutor.policy import LOCK_LABELS, LOCKABLE, ClassSettings
from tutor.ui.common import Context, default_model, enabled_modes, frame, model_for_mode, show_error

SAME = "(same as above)"


def settings_page() -> None:
    ctx = frame()
    if ctx.user.is_instructor:
        st.title("🧑‍🏫 Instructor settings")
        _instructor(ctx)
        if run_mode() == "class":
            _class_code(ctx)
    else:
        st.title("🧑‍🏫 Your settings")
        if run_mode() == "personal" and auth.passcode_set(ctx.db):
            st.info("The instructor settings are locked with a passcode.", icon="🔒")
            st.link_button("Unlock instructor settings", "/account/passcode")
        _own_choices(ctx)


def _number(label: str, name: str, value, key: str, disabled: bool = False):
    kind, low, high = policy.CHOICES[name]
    step = 0.05 if kind is float else 1
    return st.number_input(
        label, min_value=kind(low), max_value=kind(high), value=value, step=kind(step), key=key,
        disabled=disabled, placeholder="mode default",
    )  # fmt: skip


def _instructor(ctx: Context) -> None:
    if ctx.registry_error is not None:
        show_error(ctx.registry_error)
        return
    names = list(ctx.registry.models)
    cs = ctx.class_settings
    with st.form("instructor-settings"):
        chosen_modes = st.multiselect(
            "Modes students can use", list(ctx.file_modes), default=enabled_modes(ctx),
            format_func=lambda m: ctx.file_modes[m].title,
        )  # fmt: skip
        default = default_model(ctx)
        model = st.selectbox("Model for all pages", names, index=names.index(default) if default in names else 0)
        per_mode, values = {}, {}
        for mode_id, mode in ctx.file_modes.items():
            options = [SAME, *names]
            saved = cs.models.get(mode_id)
            per_mode[mode_id] = st.selectbox(
                f"Model for {mode.title}", options, index=options.index(saved) if saved in names else 0,
                key=f"model-{mode_id}",
            )  # fmt: skip
            vals = cs.values.get(mode_id, {})
            c1, c2, c3 = st.columns(3)
            with c1:
                t = _number("Temperature", "temperature", vals.get("temperature"), f"t-{mode_id}")
            with c2:
                n = _number("Answer length (tokens)", "max_tokens", vals.get("max_tokens"), f"n-{mode_id}")
            with c3:
                h = _number("Hints before the solution", "hints_before_solution",
                            vals.get("hints_before_solution"), f"h-{mode_id}")  # fmt: skip
            values[mode_id] = {"temperature": t, "max_tokens": n, "hints_before_solution": h}
        st.caption("Empty: the mode file's default. Locked settings cannot be changed from a student session.")
        st.write("**Students may not change:**")
        lock_cols = st.columns(len(LOCKABLE))
        locks = {
            name: col.checkbox(LOCK_LABELS[name], value=cs.locked(name), key=f"lock-{name}")
            for col, name in zip(lock_cols, LOCKABLE)
        }
        if st.form_submit_button("Save", type="primary"):
            new = ClassSettings(
                enabled_modes=tuple(chosen_modes) if chosen_modes else (),
                model=model,
                models={m: v for m, v in per_mode.items() if v != SAME},
                values={m: {k: x for k, x in v.items() if x is not None} for m, v in values.items()},
                locks=frozenset(name for name, on in locks.items() if on),
            )
            try:
                policy.save(ctx.db, ctx.user, new, list(ctx.file_modes))
            except TutorError as err:
                show_error(err)
            else:
                st.success("Saved. Students see the change on their next click.")
    st.caption(
        "Add a model with `python -m tutor.models add NAME /path/to/model.gguf` "
        "or `python -m tutor.models add NAME --repo OWNER/REPO --file FILE.gguf`, "
        "then fetch a Hub model once with `python -m tutor.models fetch NAME`."
    )


def _class_code(ctx: Context) -> None:
    st.subheader("Class code")
    st.caption(
        "Students create a local account with this code at /account/signup. It is stored hashed: "
        "write it down, it cannot be shown again."
    )
    if auth.class_code_set(ctx.db):
        st.write("A class code is set: sign-up is open.")
    with st.form("class-code", clear_on_submit=True):
        code = st.text_input("New class code (at least 6 characters)", type="password")
        c1, c2 = st.columns(2)
        if c1.form_submit_button("Set class code"):
            try:
                auth.set_class_code(ctx.db, code)
                st.success("Class code set: sign-up is open.")
            except TutorError as err:
                show_error(err)
        if c2.form_submit_button("Close sign-up"):
            auth.set_class_code(ctx.db, None)
            st.success("Sign-up closed.")


def _own_choices(ctx: Context) -> None:
    cs = ctx.class_settings
    st.write("How the tutor answers you. A 🔒 setting was fixed by your instructor.")
    names = list(ctx.registry.models) if ctx.registry else []
    with st.form("own-choices"):
        wanted: dict[tuple[str, str], object] = {}
        for mode_id in enabled_modes(ctx):
            mode = ctx.modes[mode_id]
            st.markdown(f"**{mode.icon} {mode.title}**")
            c1, c2, c3, c4 = st.columns(4)
            if names:
                current = model_for_mode(ctx, mode_id)
                with c1:
                    wanted[(mode_id, "model")] = st.selectbox(
                        "🔒 Model" if cs.locked("model") else "Model", names,
                        index=names.index(current) if current in names else 0,
                        key=f"own-model-{mode_id}", disabled=cs.locked("model"),
                    )  # fmt: skip
            for col, name, label in (
                (c2, "temperature", "Temperature"),
                (c3, "max_tokens", "Answer length"),
                (c4, "hints_before_solution", "Hints first"),
            ):
                value = mode.gen.temperature if name == "temperature" else (
                    mode.gen.max_tokens if name == "max_tokens" else mode.hints_before_solution)  # fmt: skip
                with col:
                    wanted[(mode_id, name)] = _number(
                        ("🔒 " if cs.locked(name) else "") + label, name, value, f"own-{name}-{mode_id}",
                        disabled=cs.locked(name),
                    )  # fmt: skip
        if st.form_submit_button("Save my settings", type="primary"):
            _save_own(ctx, wanted, names)


def _save_own(ctx: Context, wanted: dict, names: list[str]) -> None:
    """Store what changed; a locked setting is refused by tutor.policy even if the browser sent it."""
    changed = 0
    for (mode_id, name), value in wanted.items():
        current = model_for_mode(ctx, mode_id) if name == "model" else (
            getattr(ctx.modes[mode_id].gen, name, None) if name != "hints_before_solution"
            else ctx.modes[mode_id].hints_before_solution)  # fmt: skip
        if value == current:
            continue
        try:
            policy.set_choice(ctx.db, ctx.user, ctx.class_settings, mode_id, name, value, models=names)
            changed += 1
        except TutorError as err:
            show_error(err)
            return
    if changed:
        st.toast(f"Saved ({changed} changed).", icon="✅")
        st.rerun()
    st.info("Nothing changed.")
