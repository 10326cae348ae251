//! Reusable pieces: text box, form, picker, popups, highlighted text, status bar, help.

pub mod form;
pub mod help;
pub mod highlight;
pub mod input;
pub mod picker;
pub mod popup;
pub mod status;
