//! Streaming tallies: count, moments and a quantile histogram. Nothing is
//! stored per patient, so memory does not grow with the number of patients simulated.
//!
//! **Quantiles** come from a log-linear histogram (the HDR-histogram idea): each power-of-two
//! range of values is split into 128 equal buckets, read straight from the float's exponent and
//! top mantissa bits. A bucket is at most 1/128 ≈ 0.78% of its values wide, and the quantile is
//! interpolated linearly inside the bucket, so on smooth distributions the error is well under
//! 1% relative. Exact zeros (no wait) are counted apart. Values below 2^-20 minutes (≈ 0.06 ms)
//! count as zero; values above 2^21 minutes (≈ 4 years) land in the top bucket.

/// Lowest binary exponent tracked.
const EMIN: i32 = -20;
/// One past the highest binary exponent tracked.
const EMAX: i32 = 21;
/// Mantissa bits used for sub-buckets (2^7 = 128 per octave).
const SUB_BITS: u32 = 7;
const SUB: usize = 1 << SUB_BITS;
/// Number of buckets.
pub const BUCKETS: usize = ((EMAX - EMIN) as usize) * SUB;

/// Count, sum, maximum and quantile histogram of a non-negative quantity.
#[derive(Debug, PartialEq)]
pub struct Tally {
    /// Number of observations.
    pub count: u64,
    /// Sum of observations.
    pub sum: f64,
    /// Sum of squares.
    pub sum_sq: f64,
    /// Largest observation.
    pub max: f64,
    /// Smallest observation (+infinity with none).
    pub min: f64,
    /// Observations that were zero.
    pub zeros: u64,
    /// Bucket counts (a fixed-size array, so adding needs no bounds check).
    pub buckets: Box<[u64; BUCKETS]>,
}

impl Clone for Tally {
    fn clone(&self) -> Self {
        Tally {
            buckets: self.buckets.clone(),
            ..*self
        }
    }

    /// Copies into the existing bucket storage instead of allocating.
    fn clone_from(&mut self, source: &Self) {
        let Tally {
            count,
            sum,
            sum_sq,
            max,
            min,
            zeros,
            buckets,
        } = self;
        *count = source.count;
        *sum = source.sum;
        *sum_sq = source.sum_sq;
        *max = source.max;
        *min = source.min;
        *zeros = source.zeros;
        buckets.copy_from_slice(&source.buckets[..]);
    }
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            count: 0,
            sum: 0.0,
            sum_sq: 0.0,
            max: 0.0,
            min: f64::INFINITY,
            zeros: 0,
            buckets: Box::new([0; BUCKETS]),
        }
    }
}

#[inline]
fn bucket_of(v: f64) -> Option<usize> {
    // The biased exponent and the top mantissa bits read as one number, `exponent * SUB + sub`
    // (sign bit dropped): below the first tracked octave it is a zero, above the last it
    // lands in the top bucket.
    let top = ((v.to_bits() >> (52 - SUB_BITS)) & ((1 << (11 + SUB_BITS)) - 1)) as usize;
    let first = ((1023 + EMIN) as usize) << SUB_BITS;
    if top < first {
        return None;
    }
    Some((top - first).min(BUCKETS - 1))
}

/// The value range [lo, hi) of a bucket.
fn bucket_range(b: usize) -> (f64, f64) {
    let e = (b / SUB) as i32 + EMIN;
    let sub = (b % SUB) as f64;
    let base = f64::from_bits(((e + 1023) as u64) << 52);
    let w = base / SUB as f64;
    (base + sub * w, base + (sub + 1.0) * w)
}

impl Tally {
    /// Records one observation (must be ≥ 0).
    #[inline]
    pub fn add(&mut self, v: f64) {
        // `merge` and `clear` rely on every bucket in use lying between min and max.
        debug_assert!(v >= 0.0, "a tally takes non-negative values, got {v}");
        self.count += 1;
        self.sum += v;
        self.sum_sq += v * v;
        if v > self.max {
            self.max = v;
        }
        if v < self.min {
            self.min = v;
        }
        match bucket_of(v) {
            Some(b) => self.buckets[b] += 1,
            None => self.zeros += 1,
        }
    }

    /// Mean, or 0 with no observations.
    pub fn mean(&self) -> f64 {
        self.moments().mean()
    }

    /// Adds another tally's observations to this one.
    pub fn merge(&mut self, other: &Tally) {
        self.count += other.count;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
        self.max = self.max.max(other.max);
        self.min = self.min.min(other.min);
        self.zeros += other.zeros;
        // Only the buckets between the smallest and largest observation can be non-zero: a
        // replication's waits fill a few hundred of the 5,248, so merging it reads those.
        let used = other.used_buckets();
        for (a, b) in self.buckets[used.clone()]
            .iter_mut()
            .zip(&other.buckets[used])
        {
            *a += b;
        }
    }

    /// Empties the tally, keeping its bucket storage (so a simulator can reuse it across
    /// replications without allocating and zeroing 42 KB afresh).
    pub fn clear(&mut self) {
        let used = self.used_buckets();
        self.buckets[used].fill(0);
        self.count = 0;
        self.sum = 0.0;
        self.sum_sq = 0.0;
        self.max = 0.0;
        self.min = f64::INFINITY;
        self.zeros = 0;
    }

    /// The buckets that can be non-zero: those from the smallest to the largest observation
    /// (`bucket_of` does not decrease as its non-negative argument grows), all of them if a
    /// negative value was ever added, none when empty.
    fn used_buckets(&self) -> std::ops::Range<usize> {
        if self.count == 0 {
            return 0..0;
        }
        if self.min.is_nan() || self.min < 0.0 {
            return 0..BUCKETS;
        }
        let lo = bucket_of(self.min).unwrap_or(0);
        let hi = bucket_of(self.max).unwrap_or(0);
        lo..hi + 1
    }

    /// The q-quantile (0 ≤ q ≤ 1), interpolated inside its bucket and kept within the
    /// observed minimum and maximum (so q = 0 is the smallest observation, q = 1 the largest);
    /// 0 with no observations.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        if q <= 0.0 {
            return self.min;
        }
        let target = q.min(1.0) * self.count as f64;
        if target <= self.zeros as f64 {
            return 0.0;
        }
        let mut below = self.zeros as f64;
        for (b, &n) in self.buckets.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let n = n as f64;
            if below + n >= target {
                let (lo, hi) = bucket_range(b);
                let x = lo + (hi - lo) * ((target - below) / n);
                return x.clamp(self.min, self.max);
            }
            below += n;
        }
        self.max
    }
}

/// A tally's count, moments and range without its histogram: what one replication keeps once
/// its histogram has been merged into the pooled one (a few words instead of 42 KB).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Number of observations.
    pub count: u64,
    /// Sum of observations.
    pub sum: f64,
    /// Sum of squares.
    pub sum_sq: f64,
    /// Largest observation (0 with none).
    pub max: f64,
    /// Smallest observation (+infinity with none).
    pub min: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            count: 0,
            sum: 0.0,
            sum_sq: 0.0,
            max: 0.0,
            min: f64::INFINITY,
        }
    }
}

impl Moments {
    /// Mean, or 0 with no observations (as [`Tally::mean`]).
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }
}

impl Tally {
    /// The count, moments and range, without the histogram.
    pub fn moments(&self) -> Moments {
        Moments {
            count: self.count,
            sum: self.sum,
            sum_sq: self.sum_sq,
            max: self.max,
            min: self.min,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Merging and clearing look only at the buckets between the smallest and largest value:
    /// the result must be what a merge of every bucket gives.
    #[test]
    fn merge_and_clear_touch_only_the_used_buckets_and_agree_with_a_full_merge() {
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut pooled = Tally::default();
        let mut full = Tally::default();
        let mut one = Tally::default();
        for round in 0..50 {
            one.clear();
            assert_eq!(one, Tally::default());
            let scale = [1e-7, 0.01, 1.0, 30.0, 1e7][round % 5];
            for _ in 0..(round * 7) {
                let u = next();
                one.add(if u < 0.1 { 0.0 } else { u * scale });
            }
            pooled.merge(&one);
            full.count += one.count;
            full.sum += one.sum;
            full.sum_sq += one.sum_sq;
            full.max = full.max.max(one.max);
            full.min = full.min.min(one.min);
            full.zeros += one.zeros;
            for (a, b) in full.buckets.iter_mut().zip(one.buckets.iter()) {
                *a += b;
            }
            assert_eq!(pooled, full, "round {round}");
        }
        assert!(pooled.count > 1000);
    }

    #[test]
    fn bucket_index_matches_exponent_arithmetic() {
        // The bucket by exponent and sub-bucket, computed the long way.
        fn reference(v: f64) -> Option<usize> {
            let bits = v.to_bits();
            let e = ((bits >> 52) & 0x7ff) as i32 - 1023;
            if e < EMIN {
                return None;
            }
            if e >= EMAX {
                return Some(BUCKETS - 1);
            }
            let sub = ((bits >> (52 - SUB_BITS)) as usize) & (SUB - 1);
            Some(((e - EMIN) as usize) * SUB + sub)
        }
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let mut values = vec![0.0, -0.0, 1.0, f64::INFINITY, f64::MAX, f64::MIN_POSITIVE];
        for e in EMIN - 2..EMAX + 2 {
            let p = 2f64.powi(e);
            values.extend([p, p * 1.999, p * 0.999_999, -p]);
        }
        for _ in 0..100_000 {
            x = crate::rng::mix64(x);
            values.push(f64::from_bits(x & !(1 << 63)));
            values.push((x >> 11) as f64 / (1u64 << 53) as f64 * 1e3);
        }
        for v in values {
            assert_eq!(bucket_of(v), reference(v), "{v:e}");
        }
    }

    #[test]
    fn quantiles_are_within_one_percent() {
        // Exponential(1) via its exact inverse CDF on a fine grid: quantiles are known exactly.
        let mut t = Tally::default();
        let n = 200_000;
        for i in 0..n {
            let u = (i as f64 + 0.5) / n as f64;
            t.add(-(1.0 - u).ln());
        }
        for q in [0.1f64, 0.5, 0.9, 0.95, 0.99] {
            let exact = -(1.0 - q).ln();
            let got = t.quantile(q);
            assert!((got - exact).abs() / exact < 0.01, "q{q}: {got} vs {exact}");
        }
        assert!((t.mean() - 1.0).abs() < 1e-3);
    }

    #[test]
    fn zeros_and_merge() {
        let mut a = Tally::default();
        for _ in 0..60 {
            a.add(0.0);
        }
        let mut b = Tally::default();
        for i in 0..40 {
            b.add(10.0 + i as f64);
        }
        a.merge(&b);
        assert_eq!(a.count, 100);
        assert_eq!(a.quantile(0.5), 0.0);
        let p90 = a.quantile(0.9);
        assert!((p90 - 39.0).abs() / 39.0 < 0.02, "{p90}");
        assert_eq!(a.max, 49.0);
        assert!(a.quantile(1.0) <= 49.0);
    }
}
