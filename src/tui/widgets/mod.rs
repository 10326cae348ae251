//! Reusable pieces: text box, form, picker, popups, highlighted text, status bar, help.

pub(crate) mod form;
pub(crate) mod help;
pub(crate) mod highlight;
pub(crate) mod input;
pub(crate) mod picker;
pub(crate) mod popup;
pub(crate) mod preview;
pub(crate) mod scroll;
pub(crate) mod status;
