//! What the toolbar and the keyboard ask of the window besides the view: the shortcut help
//! and a screenshot. Both ask through the same flags, so a button and its key do one thing.

/// The requests; see the module documentation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Requests {
    /// The shortcut help is shown.
    pub help_open: bool,
    /// Save a screenshot of this frame.
    pub screenshot: bool,
}
