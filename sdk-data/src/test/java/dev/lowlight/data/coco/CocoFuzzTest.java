package dev.lowlight.data.coco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/**
 * Fuzzing: arbitrary and mutated input to the COCO reader and the RLE string decoder either
 * succeeds with a consistent answer or fails with {@link CocoFormatException}; nothing hangs, runs
 * out of memory or throws anything else.
 */
class CocoFuzzTest {

  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static final String GT = load("/coco/eval/crowd/gt.json");
  private static final String DT = load("/coco/eval/crowd/dt.json");

  private static String load(String path) {
    try (InputStream in = CocoFuzzTest.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ RLE strings

  static void decodeOrReject(String s, int h, int w) {
    assertTimeoutPreemptively(LIMIT, () -> {
      Rle rle;
      try {
        rle = MaskApi.fromCompressedString(s, h, w);
      } catch (CocoFormatException e) {
        assertThat(e.getMessage()).isNotBlank();
        return;
      }
      long sum = 0;
      for (int c : rle.counts()) {
        assertThat(c).isNotNegative();
        sum += c;
      }
      assertThat(sum).isEqualTo((long) h * w);
      // A decoded string re-encodes to a string that decodes to the same runs.
      assertThat(MaskApi.fromCompressedString(MaskApi.toCompressedString(rle), h, w))
          .isEqualTo(rle);
    });
  }

  @Property(tries = 500)
  void arbitraryCountStrings(@ForAll @StringLength(max = 64) String s,
      @ForAll("sides") int h, @ForAll("sides") int w) {
    decodeOrReject(s, h, w);
  }

  @Property(tries = 500)
  void countStringsFromTheAlphabet(@ForAll("alphabet") String s, @ForAll @IntRange(max = 40) int h,
      @ForAll @IntRange(max = 40) int w) {
    decodeOrReject(s, h, w);
  }

  @Property(tries = 500)
  void mutatedValidCountStrings(@ForAll @IntRange(min = 1, max = 30) int h,
      @ForAll @IntRange(min = 1, max = 30) int w, @ForAll long seed,
      @ForAll @IntRange(max = 200) int where, @ForAll("alphabet") String insert) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    byte[] px = new byte[h * w];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (r.nextInt(5) == 0 ? 1 : 0);
    }
    String valid = MaskApi.toCompressedString(MaskApi.encode(px, h, w));
    int at = Math.min(where, valid.length());
    int cut = Math.min(valid.length(), at + r.nextInt(3));
    decodeOrReject(valid.substring(0, at) + insert + valid.substring(cut), h, w);
  }

  @Provide
  Arbitrary<String> alphabet() {
    return Arbitraries.strings().withCharRange('0', 'o').ofMaxLength(12);
  }

  @Provide
  Arbitrary<Integer> sides() {
    return Arbitraries.oneOf(Arbitraries.integers().between(0, 50),
        Arbitraries.of(-1, Integer.MAX_VALUE, 1_000_000_000, 65536));
  }

  // ------------------------------------------------------------------ JSON documents

  static void readOrReject(String json, boolean results) {
    assertTimeoutPreemptively(LIMIT, () -> {
      try (InputStream in = new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))) {
        if (results) {
          List<CocoResult> r = CocoReader.readResults(in, "fuzz.json");
          assertThat(r).doesNotContainNull();
        } else {
          CocoDataset ds = CocoReader.readDataset(in, "fuzz.json");
          // Whatever was accepted is consistent: references resolve, masks have valid runs.
          ds.validate();
          for (CocoAnnotation a : ds.annotations()) {
            if (!(a.segmentation() instanceof Segmentation.Polygons)
                && a.segmentation() != null) {
              CocoImage img = ds.imagesById().get(a.imageId());
              Rle rle = MaskApi.toRle(a.segmentation(), img.height(), img.width());
              assertThat(MaskApi.area(rle)).isBetween(0L, (long) img.height() * img.width());
            }
          }
        }
      } catch (CocoFormatException e) {
        assertThat(e.getMessage()).startsWith("fuzz.json: ");
      }
    });
  }

  @Property(tries = 300)
  void arbitraryText(@ForAll @StringLength(max = 200) String s, @ForAll boolean results) {
    readOrReject(s, results);
  }

  @Property(tries = 1000)
  void mutatedDatasets(@ForAll("mutations") List<Mutation> ms) {
    readOrReject(apply(GT, ms), false);
  }

  @Property(tries = 500)
  void mutatedResults(@ForAll("mutations") List<Mutation> ms) {
    readOrReject(apply(DT, ms), true);
  }

  /** Replace {@code length} characters at a relative position with a token. */
  record Mutation(double position, int length, String token) {}

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    Arbitrary<String> tokens = Arbitraries.oneOf(
        Arbitraries.of("", "\"", ",", ":", "[", "]", "{", "}", "null", "true", "-1", "0", "1e9",
            "1e400", "99999999999999999999999", "1000000000", "\"x\"", "[[1,2,3]]",
            "{\"size\":[1000000000,1000000000],\"counts\":\"0\"}",
            "{\"size\":[1e9,1e9],\"counts\":[1]}", "\"counts\": \"00000\"", "[1,2]", "2.5"),
        Arbitraries.strings().ofMaxLength(4));
    Arbitrary<Mutation> one = net.jqwik.api.Combinators.combine(
        Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(0, 6), tokens)
        .as(Mutation::new);
    return one.list().ofMinSize(1).ofMaxSize(3);
  }

  static String apply(String s, List<Mutation> ms) {
    for (Mutation m : ms) {
      int at = (int) (m.position() * s.length());
      int end = Math.min(s.length(), at + m.length());
      s = s.substring(0, at) + m.token() + s.substring(end);
    }
    return s;
  }
}
