//! Shared resources, compiled: pools of staff or rooms by time, and what each station needs of
//! them.

use super::StaffChange;

/// A shared pool of identical units (staff or rooms).
#[derive(Debug, Clone)]
pub struct Resource {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Units on duty at time zero.
    pub initial: u32,
    /// Later changes of the units on duty, in time order.
    pub changes: Vec<StaffChange>,
    /// The largest number of units ever on duty.
    pub max_units: u32,
    /// Cost of one unit per staffed hour, if given.
    pub cost_per_hour: Option<f64>,
    /// The stations that require this resource, in station order.
    pub users: Vec<u32>,
    /// What happens to services in progress when the units on duty fall below those seized.
    pub shift_end: crate::scenario::ShiftEnd,
}

/// What one service at a station seizes of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// Index of the resource.
    pub resource: u32,
    /// Units seized for each service.
    pub count: u32,
    /// This station's position in the resource's `users` (where its busy time is kept).
    pub user: u32,
    /// 0 for a need every service has; k ≥ 1 for the k-th of the station's alternatives
    /// (`one_of`), of which each service seizes one.
    pub alt: u8,
}

impl Need {
    /// True when a service that chose alternative `option` (0 when the station has none)
    /// holds this need's units.
    #[inline]
    pub fn held_by(&self, option: u8) -> bool {
        self.alt == 0 || self.alt == option
    }
}

/// Units on duty at each instant of a staffing timeline: `initial` until the first change.
pub fn on_duty_at(initial: u32, changes: &[StaffChange], t: f64) -> u32 {
    changes
        .iter()
        .take_while(|c| c.at <= t)
        .last()
        .map_or(initial, |c| c.count)
}

/// The services a station with `needs` could run at once with `units(need)` units of each
/// need's resource to itself: ⌊units ÷ count⌋ for each need every service has, and for the
/// alternatives the sum of theirs (each service takes one); the least of these.
pub fn could_serve(needs: &[Need], units: impl Fn(&Need) -> u32) -> u32 {
    let mut fixed = u32::MAX;
    let mut alternatives: Option<u32> = None;
    for n in needs {
        let k = units(n) / n.count;
        if n.alt == 0 {
            fixed = fixed.min(k);
        } else {
            alternatives = Some(alternatives.unwrap_or(0).saturating_add(k));
        }
    }
    match (fixed, alternatives) {
        (u32::MAX, None) => 0,
        (f, None) => f,
        (f, Some(a)) => f.min(a),
    }
}
