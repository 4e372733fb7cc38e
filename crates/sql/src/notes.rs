//! Messages a query leaves for the user (counts of what was dropped and why), printed by the
//! CLI after the result so they never mix with the result's rows.

use std::sync::Mutex;

/// A session's pending notes.
#[derive(Debug, Default)]
pub struct Notes(Mutex<Vec<String>>);

impl Notes {
    /// Adds a note.
    pub fn push(&self, note: String) {
        self.0.lock().unwrap().push(note);
    }

    /// Takes every pending note.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}
