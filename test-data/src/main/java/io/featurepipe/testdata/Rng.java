package io.featurepipe.testdata;

/**
 * A small, fully specified pseudo-random generator (SplitMix64) with the few distributions the
 * generator needs. Unlike {@link java.util.Random} helpers and {@link Math}, everything here is
 * defined bit for bit: integer arithmetic plus {@link StrictMath}, so a seed gives the same stream
 * on every JVM, operating system and CPU.
 *
 * <p>Streams are derived from the run's seed and a path of labels ({@link #of}), so every user, day
 * and concern draws from its own stream and one change does not shift every later draw.
 */
final class Rng {
  private long state;

  Rng(long seed) {
    this.state = seed;
  }

  /** A stream for one concern: the seed mixed with labels (strings and numbers). */
  static Rng of(long seed, Object... path) {
    long h = mix(seed ^ 0x6A09E667F3BCC909L);
    for (Object part : path) {
      long v;
      if (part instanceof Number n) {
        v = n.longValue();
      } else {
        v = part.toString().hashCode() * 0x9E3779B97F4A7C15L + 0x3C6EF372FE94F82BL;
      }
      h = mix(h ^ mix(v + 0x243F6A8885A308D3L));
    }
    return new Rng(h);
  }

  /** The SplitMix64 finalizer: a bijection on 64 bits that mixes well. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  long nextLong() {
    state += 0x9E3779B97F4A7C15L;
    return mix(state);
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound). */
  int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    return (int) ((nextLong() >>> 1) % bound);
  }

  /** Uniform in [lo, hi] (inclusive). */
  int between(int lo, int hi) {
    return lo + nextInt(hi - lo + 1);
  }

  /** Uniform in [0, bound). */
  long nextLong(long bound) {
    return (nextLong() >>> 1) % bound;
  }

  /** Uniform in [lo, hi). */
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * nextDouble();
  }

  boolean chance(double p) {
    return nextDouble() < p;
  }

  /** Standard normal (Box–Muller, one value per call). */
  double gaussian() {
    double u1 = 1.0 - nextDouble(); // (0, 1]
    double u2 = nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
  }

  /** Log-normal with the given median and log-scale sigma. */
  double logNormal(double median, double sigma) {
    return median * StrictMath.exp(sigma * gaussian());
  }

  /** Poisson with mean lambda (Knuth; a rounded normal above 60). */
  int poisson(double lambda) {
    if (lambda <= 0) {
      return 0;
    }
    if (lambda > 60) {
      return (int) Math.max(0, Math.round(lambda + StrictMath.sqrt(lambda) * gaussian()));
    }
    double limit = StrictMath.exp(-lambda);
    double p = 1.0;
    int k = 0;
    do {
      k++;
      p *= nextDouble();
    } while (p > limit);
    return k - 1;
  }

  /** An index drawn with probability proportional to its weight (weights >= 0, some > 0). */
  int weighted(double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    if (!(total > 0)) {
      return nextInt(weights.length);
    }
    double x = nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    for (int i = weights.length - 1; i >= 0; i--) {
      if (weights[i] > 0) {
        return i;
      }
    }
    return weights.length - 1;
  }
}
