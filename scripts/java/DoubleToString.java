import java.util.SplittableRandom;

/**
 * Prints test vectors for lib/flink/java-double.ts: for each double, its raw bits as 16 hex digits, a space,
 * and Double.toString of it, one per line. Run on the Java whose output is to be matched (Java 17: its
 * FloatingDecimal is not the shortest-digits algorithm that JDK 19 brought):
 *
 *   java scripts/java/DoubleToString.java [--size fixture|full|random] [--seed N] [--random N] [--price-step N]
 *
 * --size fixture (default, about 1.4 MB): a header, the boundaries, the known non-shortest cases, whole
 *                 numbers 0..1000 and every 9th up to 10000, every price k/100 for k in 0..10000 and every
 *                 price-step-th one up to k = 100000, and --random (default 10000) random bit patterns
 *                 plus as many random decimals.
 * --size full:    every whole number 0..10000 and every price up to k = 100000, --random defaulting to
 *                 100000.
 * --size random:  only the random doubles, for a live comparison (--random defaults to 100000 of each kind).
 * --seed N:       the seed of the random doubles (default 20230808), so a fixture can be made again.
 * --price-step N: in --size fixture, the step between the prices kept above k = 10000 (default 37).
 *
 * Lines starting with '#' are comments: the header names the Java that printed the vectors.
 */
public class DoubleToString {
  private static final StringBuilder out = new StringBuilder(1 << 20);

  public static void main(String[] args) {
    String size = "fixture";
    long seed = 20230808L;
    int random = -1;
    int priceStep = 37;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.equals("--size") && !arg.equals("--seed") && !arg.equals("--random") && !arg.equals("--price-step")) {
        usage("unknown argument " + arg);
      }
      if (i + 1 == args.length) usage("missing value after " + arg);
      String value = args[++i];
      switch (arg) {
        case "--size" -> size = value;
        case "--seed" -> seed = Long.parseLong(value);
        case "--random" -> random = Integer.parseInt(value);
        default -> priceStep = Integer.parseInt(value);
      }
    }
    if (!size.equals("fixture") && !size.equals("full") && !size.equals("random")) usage("unknown size " + size);
    if (random < 0) random = size.equals("fixture") ? 10_000 : 100_000;

    comment("Double.toString vectors: raw bits (hex) and the string, printed by");
    comment("java -version: " + javaVersion());
    comment("args: --size " + size + " --seed " + seed + " --random " + random
        + (size.equals("fixture") ? " --price-step " + priceStep : ""));
    if (!size.equals("random")) {
      boundaries();
      knownCases();
      boolean full = size.equals("full");
      comment("whole numbers 0..10000" + (full ? "" : " (above 1000, every 9th)"));
      for (int n = 0; n <= 10_000; n++) {
        if (full || n <= 1_000 || n % 9 == 0) emit(n);
      }
      comment("prices k/100 for k in 0..100000, the decimal string parsed as JSON input is"
          + (full ? "" : " (above 100.00, every " + priceStep + "th)"));
      for (int k = 0; k <= 100_000; k++) {
        if (full || k <= 10_000 || k % priceStep == 0) emit(Double.parseDouble(price(k)));
      }
    }
    randomBits(new SplittableRandom(seed), random);
    randomDecimals(new SplittableRandom(seed ^ 0x5DEECE66DL), random);
    flush();
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: java DoubleToString.java [--size fixture|full|random] [--seed N] [--random N] [--price-step N]");
    System.exit(2);
  }

  private static String javaVersion() {
    return "openjdk version \"" + System.getProperty("java.version") + "\" "
        + System.getProperty("java.version.date") + "; " + System.getProperty("java.runtime.name")
        + " (build " + System.getProperty("java.runtime.version") + "); " + System.getProperty("java.vm.name")
        + " (build " + System.getProperty("java.vm.version") + ")";
  }

  /** k/100 as a decimal string, e.g. 4172 -> "41.72", 5 -> "0.05". */
  private static String price(int k) {
    return (k / 100) + "." + (k % 100 < 10 ? "0" : "") + (k % 100);
  }

  private static void boundaries() {
    comment("boundaries");
    emit(0.0);
    emit(-0.0);
    emit(Double.NaN);
    emit(Double.POSITIVE_INFINITY);
    emit(Double.NEGATIVE_INFINITY);
    emitAround(Double.MIN_VALUE);
    emitAround(Double.MIN_NORMAL);
    emitAround(Math.nextDown(Double.MIN_NORMAL));
    emitAround(Double.MAX_VALUE);
    // Where the format switches between plain and E notation.
    emitAround(1e-3);
    emitAround(1e7);
    emitAround(1e-2);
    emitAround(1e-1);
    emitAround(9.999999999999999e-4);
    emitAround(9999999.999999998);
    comment("powers of ten 1e-324..1e308 and their neighbours");
    for (int e = -324; e <= 308; e++) emitAround(Double.parseDouble("1e" + e));
    comment("powers of two 2^-1074..2^1023 and their neighbours");
    for (int e = -1074; e <= 1023; e++) emitAround(Math.scalb(1.0, e));
    comment("integers around 2^53, 2^63 and 2^64, and the int/long limits");
    for (double base : new double[] {0x1p31, 0x1p32, 0x1p53, 0x1p54, 0x1p62, 0x1p63, 0x1p64}) {
      double d = base;
      for (int i = 0; i < 8; i++) d = Math.nextDown(d);
      for (int i = 0; i < 17; i++, d = Math.nextUp(d)) emit(d);
    }
    for (long n = (1L << 53) - 10; n <= (1L << 53) + 10; n++) emit((double) n);
    emit((double) Long.MAX_VALUE);
    emit((double) Long.MIN_VALUE);
    emit((double) Integer.MAX_VALUE);
    emit((double) Integer.MIN_VALUE);
  }

  /**
   * Doubles Java 17 prints longer than the shortest string that parses back, or not as the nearest of the
   * shortest, or (a few) as a string that parses to another double; none of them is in the plain range 1e-3 <= |d| < 1e7, where FloatingDecimal's stopping test
   * gives the shortest digits. The first groups are OpenJDK's own list of anomalies (its tests for the
   * JDK 19 algorithm, JDK-4511638); the rest were found comparing these vectors with JavaScript's
   * shortest-digits Number.prototype.toString.
   */
  private static void knownCases() {
    comment("known cases where Java 17 is not shortest, and other special paths");
    String[] cases = {
      // OpenJDK: printed with 18 digits.
      "2.82879384806159E17", "1.387364135037754E18", "1.45800632428665E17",
      // OpenJDK: printed longer than needed.
      "1.6E-322", "6.3E-322", "7.3879E20", "2.0E23", "7.0E22", "9.2E22", "9.5E21", "3.1E22", "5.63E21",
      "8.41E21",
      // OpenJDK: not printed as the nearest of the shortest.
      "9.9E-324", "9.9E-323", "1.9400994884341945E25", "3.6131332396758635E25", "2.5138990223946153E25",
      // Found: 1e23 (9.999999999999999E22), whole numbers from 2^54 up (the exact long digits, rounded).
      "1e23", "8e23", "4.2e22", "5e22", "99999999999999980", "100000000000000020", "999999999999999900",
      "1000000000000000100", "36028797018963970", "72057594037927930", "144115188075855900",
      "288230376151711700", "1152921504606847000", "8196940472770000000", "1401421277290000000",
      "11649257450000000000", "532919000000000000000", "-901570000000000000000",
      "-2.2358818755901183e25", "2.0079331764311774e25", "3.32306998946229e35", "3.0454106285625e287",
      "4.8726570057e288", "2.781342323134e-309", "4.7527289157379e-212", "2.37636445786895e-212",
      // The smallest subnormals: one digit is never enough in E-form (4.9E-324, not 5e-324).
      "4.9e-324", "1.0e-323", "1.5e-323", "2.0e-323", "1.0e-322",
      // Java's long path where m * 10 overflows a long (the "m might overflow!" branch).
      "0.0073787761896879946", "0.0036977515223799873", "0.0022341078863043597", "0.0064456469496357305",
      // Not anomalies on Java 17, though often quoted: 2.0E-3 prints as 0.002.
      "2.0e-3", "1.0e-3", "9.99e-4", "1.0e7", "9999999.0", "9999999.999999998", "1.0e-5",
    };
    for (String c : cases) emit(Double.parseDouble(c));
    // Strings that do not even parse back: FloatingDecimal's FDBigInteger path stops on a digit exactly
    // half an ULP above (tenSval.addAndCmp(Bval, Mval) <= 0 is not strict), and for an odd mantissa that
    // decimal parses to the next double up. 1.5695872E26 is printed for 0x45603aa9a857e091, for instance.
    long[] bits = {
      0x45546e30f7bb0d57L, 0x45603aa9a857e091L, 0x4560c570cb5c6a79L, 0x456017f7df96be17L,
      0x455da56a4b0835bfL, 0xc5603aa9a857e091L, 0x45f03aa9a857e091L,
    };
    for (long b : bits) emit(Double.longBitsToDouble(b));
  }

  private static void randomBits(SplittableRandom rnd, int n) {
    comment("random bit patterns (all exponents, both signs, NaNs as they come)");
    for (int i = 0; i < n; i++) emit(Double.longBitsToDouble(rnd.nextLong()));
  }

  private static void randomDecimals(SplittableRandom rnd, int n) {
    comment("random decimals of 1..17 significant digits, all exponents and then price-like ones");
    for (int i = 0; i < n; i++) {
      int digits = 1 + rnd.nextInt(17);
      StringBuilder s = new StringBuilder(24);
      if (rnd.nextBoolean()) s.append('-');
      s.append((char) ('1' + rnd.nextInt(9)));
      for (int j = 1; j < digits; j++) s.append((char) ('0' + rnd.nextInt(10)));
      // Half over every exponent a double can have, half where prices and the notation switch are.
      int exponent = i % 2 == 0 ? rnd.nextInt(-345, 310) : rnd.nextInt(-8, 10);
      s.append('e').append(exponent - digits + 1);
      emit(Double.parseDouble(s.toString()));
    }
  }

  private static void emitAround(double d) {
    emit(Math.nextDown(d));
    emit(d);
    emit(Math.nextUp(d));
  }

  private static void emit(double d) {
    String hex = Long.toHexString(Double.doubleToRawLongBits(d));
    for (int i = hex.length(); i < 16; i++) out.append('0');
    out.append(hex).append(' ').append(Double.toString(d)).append('\n');
    if (out.length() > (1 << 20) - 64) flush();
  }

  private static void comment(String text) {
    out.append("# ").append(text).append('\n');
  }

  private static void flush() {
    System.out.print(out);
    System.out.flush();
    out.setLength(0);
  }
}
