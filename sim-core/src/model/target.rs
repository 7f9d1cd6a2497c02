//! Service-level targets, compiled: what each counts, and per station the targets on its
//! waits, so the engine finds them by index.

/// What a target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// Time in system.
    TimeInSystem,
    /// The wait at one station.
    Wait {
        /// Station index.
        station: u32,
    },
}

/// One target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What is measured.
    pub kind: TargetKind,
    /// Only this class (None: every class).
    pub class: Option<u32>,
    /// The limit (minutes).
    pub within: f64,
    /// Required share (0–1].
    pub share: f64,
}

impl Target {
    /// Whether a patient of `class` counts towards this target.
    #[inline(always)]
    pub fn counts(&self, class: u32) -> bool {
        self.class.is_none_or(|c| c == class)
    }
}

/// Every target, with index lists for the engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Targets {
    /// The targets in file order.
    pub list: Vec<Target>,
    /// Indices of the time-in-system targets.
    pub time_in_system: Box<[u32]>,
    /// Per station, indices of the wait targets on it.
    pub wait_at: Box<[Box<[u32]>]>,
}

impl Targets {
    /// Index lists for `list` in a model of `stations` stations.
    pub fn new(list: Vec<Target>, stations: usize) -> Targets {
        let mut wait_at = vec![Vec::new(); stations];
        let mut tis = Vec::new();
        for (i, t) in list.iter().enumerate() {
            match t.kind {
                TargetKind::TimeInSystem => tis.push(i as u32),
                TargetKind::Wait { station } => wait_at[station as usize].push(i as u32),
            }
        }
        Targets {
            list,
            time_in_system: tis.into(),
            wait_at: wait_at.into_iter().map(Into::into).collect(),
        }
    }

    /// No targets.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
