//! The model's jobs, found by id.

use super::super::HashMap;
use super::JobState;
use std::cell::Cell;

/// The jobs the model knows, in order of first appearance, found by their 32-character id.
///
/// An event looks its job up about nine times between the model and the invariants, and
/// consecutive events nearly always name the same job: the job found last is remembered,
/// and comparing its id costs less than hashing the id again.
#[derive(Debug, Default)]
pub struct Jobs {
    list: Vec<JobState>,
    index: HashMap<String, usize>,
    /// Position in `list` of the job found last (any position when `list` is empty).
    last: Cell<usize>,
}

impl Jobs {
    /// Position of job `id` in `list`.
    fn position(&self, id: &str) -> Option<usize> {
        let last = self.last.get();
        if self.list.get(last).is_some_and(|j| j.id == id) {
            return Some(last);
        }
        let at = *self.index.get(id)?;
        self.last.set(at);
        Some(at)
    }

    /// Job `id`, if known.
    pub fn get(&self, id: &str) -> Option<&JobState> {
        let at = self.position(id)?;
        self.list.get(at)
    }

    /// Job `id` to change, if known.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut JobState> {
        let at = self.position(id)?;
        self.list.get_mut(at)
    }

    /// Job `id`, added (with only its id) when it is new; the flag says whether it was.
    pub(super) fn get_or_add(&mut self, id: &str) -> (&mut JobState, bool) {
        let (at, new) = match self.position(id) {
            Some(at) => (at, false),
            None => {
                self.index.insert(id.to_string(), self.list.len());
                self.list.push(JobState {
                    id: id.to_string(),
                    ..JobState::default()
                });
                self.last.set(self.list.len() - 1);
                (self.list.len() - 1, true)
            }
        };
        // In bounds: a position from the index (jobs are never removed) or the one pushed.
        (&mut self.list[at], new)
    }

    /// Every job, in order of first appearance.
    pub fn values(&self) -> impl Iterator<Item = &JobState> {
        self.list.iter()
    }

    /// Every job to change, in order of first appearance.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut JobState> {
        self.list.iter_mut()
    }

    /// Number of jobs.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether no job is known.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The jobs, in order of first appearance.
    pub fn into_vec(self) -> Vec<JobState> {
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_job_whichever_was_found_last() {
        let mut jobs = Jobs::default();
        assert!(jobs.get("a").is_none());
        assert!(jobs.get_mut("a").is_none());
        let ids = ["a", "b", "c"];
        for id in ids {
            let (j, new) = jobs.get_or_add(id);
            assert!(new);
            assert_eq!(j.id, id);
        }
        let (_, new) = jobs.get_or_add("b");
        assert!(!new);
        // Every order of look-ups, so that the remembered job is each one in turn.
        for first in ids {
            for second in ids {
                assert_eq!(jobs.get(first).map(|j| j.id.as_str()), Some(first));
                assert_eq!(jobs.get(second).map(|j| j.id.as_str()), Some(second));
                assert!(jobs.get("d").is_none());
                assert_eq!(jobs.get(second).map(|j| j.id.as_str()), Some(second));
            }
        }
        if let Some(j) = jobs.get_mut("c") {
            j.name = Some("third".to_string());
        }
        assert_eq!(jobs.get("c").and_then(|j| j.name.as_deref()), Some("third"));
        assert_eq!(jobs.len(), 3);
        let order: Vec<&str> = jobs.values().map(|j| j.id.as_str()).collect();
        assert_eq!(order, ids);
        let order: Vec<String> = jobs.into_vec().into_iter().map(|j| j.id).collect();
        assert_eq!(order, ids);
    }
}
