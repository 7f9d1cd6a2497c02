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
    /// Units who keep working after the last shift while patients needing them wait (0 =
    /// none).
    pub overtime_units: u32,
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
}

/// Units on duty at each instant of a staffing timeline: `initial` until the first change.
pub fn on_duty_at(initial: u32, changes: &[StaffChange], t: f64) -> u32 {
    changes
        .iter()
        .take_while(|c| c.at <= t)
        .last()
        .map_or(initial, |c| c.count)
}
