//! What a callback may return: nothing, or whether to stop.

use std::ops::ControlFlow;

/// A callback's return value: `()` to go on, or a [`ControlFlow`] to stop the dispatcher.
pub trait CallbackResult {
    /// As a `ControlFlow`.
    fn into_flow(self) -> ControlFlow<()>;
}

impl CallbackResult for () {
    fn into_flow(self) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

impl CallbackResult for ControlFlow<()> {
    fn into_flow(self) -> ControlFlow<()> {
        self
    }
}

/// A boxed callback taking `&T`.
pub(super) type Callback<T> = Box<dyn FnMut(&T) -> ControlFlow<()>>;

/// Boxes `f`, mapping its result to a `ControlFlow`.
pub(super) fn boxed<T, R: CallbackResult>(mut f: impl FnMut(&T) -> R + 'static) -> Callback<T> {
    Box::new(move |x| f(x).into_flow())
}

/// Calls every callback in `list` with `x`, stopping at the first that breaks.
pub(super) fn call_all<T>(list: &mut [Callback<T>], x: &T) -> ControlFlow<()> {
    for f in list {
        f(x)?;
    }
    ControlFlow::Continue(())
}
