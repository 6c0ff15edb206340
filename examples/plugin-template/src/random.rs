//! A small, fast, seedable generator (SplitMix64): no dependency, and the same numbers on
//! every platform, so `random.seed` reproduces a data set exactly.

/// A random number generator. [`Rng::for_record`] derives one per record from the seed and
/// the record's sequence number, so a record's content depends on nothing else: not on
/// `tasks.max`, not on restarts, not on the order tasks run in.
#[derive(Debug, Clone)]
pub struct Rng(u64);

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function: a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// The generator for the record with `sequence`, under `seed`.
    pub fn for_record(seed: u64, sequence: i64) -> Rng {
        Rng(mix(seed ^ mix((sequence as u64).wrapping_add(GOLDEN_GAMMA))))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n` may be up to 2^64; 0 yields 0).
    pub fn below(&mut self, n: u128) -> u128 {
        (u128::from(self.next_u64()) * n) >> 64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_gets_the_same_numbers_for_the_same_seed_and_sequence() {
        let a: Vec<u64> = (0..4).map(|_| Rng::for_record(7, 42).next_u64()).collect();
        assert!(a.iter().all(|&x| x == a[0]));
        assert_ne!(
            Rng::for_record(7, 42).next_u64(),
            Rng::for_record(7, 43).next_u64()
        );
        assert_ne!(
            Rng::for_record(7, 42).next_u64(),
            Rng::for_record(8, 42).next_u64()
        );
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = Rng::for_record(1, 0);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let v = rng.below(5);
            assert!(v < 5);
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|&s| s), "{seen:?}");
        assert_eq!(rng.below(0), 0);
    }

    #[test]
    fn unit_is_in_the_half_open_interval() {
        let mut rng = Rng::for_record(3, 9);
        for _ in 0..1000 {
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u), "{u}");
        }
    }
}
