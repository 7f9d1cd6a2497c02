//! A hand-written, single-purpose engine for the canonical workload only (four stations,
//! fixed routing, exponential times): the yardstick the general engine is measured against.
//!
//! It does exactly the work `docs/performance.md` describes and nothing more: one sequential
//! generator, FIFO ring buffers, a 4-ary heap of 16-byte entries with the next arrival held
//! beside it (as any hand-written engine keeps "time of the next arrival" apart), and only the
//! statistics the benchmark specification asks for (visits, mean waits, utilisation, mean time
//! in system). It shares the event queue, that slot included, and the ziggurat sampler with
//! sim-core, so a difference in speed between the two engines is the cost of generality, not
//! of different building blocks.

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use sim_core::distribution::standard_exp;
use sim_core::event_queue::{EventQueue, PackedEvent};
use std::collections::VecDeque;

const SERVERS: [u32; 4] = [4, 15, 3, 4];
const MEAN: [f64; 4] = [0.3, 1.0, 0.5, 0.3];
const RETURN_CONSULT_MEAN: f64 = 0.5;
const RATE: f64 = 10.0;
const REG: usize = 0;
const CONSULT: usize = 1;
const LAB: usize = 2;
const PAY: usize = 3;

#[derive(Clone, Copy)]
enum Ev {
    Arrival,
    End(u32),
}

impl PackedEvent for Ev {
    #[inline(always)]
    fn pack(self) -> u32 {
        match self {
            Ev::Arrival => u32::MAX,
            Ev::End(p) => p,
        }
    }
    #[inline(always)]
    fn unpack(bits: u32) -> Self {
        if bits == u32::MAX {
            Ev::Arrival
        } else {
            Ev::End(bits)
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Patient {
    arrival: f64,
    joined: f64,
    /// 0 registration, 1 first consult, 2 lab, 3 return consult, 4 payment.
    stage: u8,
}

/// What the single-purpose engine measures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Events: arrivals, service starts, service ends.
    pub events: u64,
    /// Completed services per station.
    pub visits: [u64; 4],
    /// Mean wait per station.
    pub mean_wait: [f64; 4],
    /// Utilisation per station.
    pub utilisation: [f64; 4],
    /// Mean time in system.
    pub mean_time_in_system: f64,
}

/// Runs `n` patients through the canonical workload.
pub fn run(n: u64, seed: u64) -> Outcome {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut q: EventQueue<Ev> = EventQueue::new();
    let mut patients: Vec<Patient> = Vec::new();
    let mut free: Vec<u32> = Vec::new();
    let mut queues: [VecDeque<u32>; 4] = Default::default();
    let mut busy = [0u32; 4];
    let mut wait_sum = [0.0; 4];
    let mut service_sum = [0.0; 4];
    let mut visits = [0u64; 4];
    let (mut events, mut arrived, mut tis_sum, mut now) = (0u64, 0u64, 0.0, 0.0);
    q.push_beside(standard_exp(&mut rng) / RATE, Ev::Arrival);

    let station_of = |stage: u8| [REG, CONSULT, LAB, CONSULT, PAY][stage as usize];
    // Starts service for patient p at station s.
    macro_rules! start {
        ($s:expr, $p:expr) => {{
            let (s, p) = ($s, $p);
            let pat = &patients[p as usize];
            let mean = if pat.stage == 3 {
                RETURN_CONSULT_MEAN
            } else {
                MEAN[s]
            };
            let d = mean * standard_exp(&mut rng);
            wait_sum[s] += now - pat.joined;
            service_sum[s] += d;
            busy[s] += 1;
            events += 1;
            q.push(now + d, Ev::End(p));
        }};
    }
    macro_rules! join {
        ($p:expr) => {{
            let p = $p;
            let s = station_of(patients[p as usize].stage);
            patients[p as usize].joined = now;
            if busy[s] < SERVERS[s] {
                start!(s, p);
            } else {
                queues[s].push_back(p);
            }
        }};
    }

    while let Some(e) = q.pop() {
        now = e.time;
        events += 1;
        match e.event {
            Ev::Arrival => {
                arrived += 1;
                let pat = Patient {
                    arrival: now,
                    joined: now,
                    stage: 0,
                };
                let p = match free.pop() {
                    Some(p) => {
                        patients[p as usize] = pat;
                        p
                    }
                    None => {
                        patients.push(pat);
                        (patients.len() - 1) as u32
                    }
                };
                if arrived < n {
                    q.push_beside(now + standard_exp(&mut rng) / RATE, Ev::Arrival);
                }
                join!(p);
            }
            Ev::End(p) => {
                let stage = patients[p as usize].stage;
                let s = station_of(stage);
                busy[s] -= 1;
                visits[s] += 1;
                if let Some(next) = queues[s].pop_front() {
                    start!(s, next);
                }
                let next_stage = match stage {
                    1 => {
                        if rng.next_u64() >> 63 == 0 {
                            2
                        } else {
                            4
                        }
                    }
                    4 => 5,
                    st => st + 1,
                };
                if next_stage == 5 {
                    tis_sum += now - patients[p as usize].arrival;
                    free.push(p);
                } else {
                    patients[p as usize].stage = next_stage;
                    join!(p);
                }
            }
        }
    }
    let mut out = Outcome {
        events,
        visits,
        mean_time_in_system: tis_sum / n as f64,
        ..Default::default()
    };
    for s in 0..4 {
        out.mean_wait[s] = wait_sum[s] / visits[s] as f64;
        out.utilisation[s] = service_sum[s] / (f64::from(SERVERS[s]) * now);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn agrees_with_flow_balance() {
        let o = super::run(200_000, 1);
        assert_eq!(o.events, 200_000 + 2 * o.visits.iter().sum::<u64>());
        for (u, want) in o.utilisation.iter().zip([0.75, 0.8333, 0.8333, 0.75]) {
            assert!((u - want).abs() < 0.02, "{u} vs {want}");
        }
        assert!((o.mean_wait[0] - 0.1528).abs() < 0.02);
    }
}
