import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares two {@code predictions.json} files of {@code lowlight predict} (COCO results) entry by
 * entry: the same number of detections, and for each the same image, category, a score within 1e-3
 * and a box within 0.5 px. Run as a single-file program ({@code java ComparePredictions.java A B});
 * no dependency, so tools/gpu/check.sh needs nothing but a JDK. Exit code 1 when they differ.
 */
public final class ComparePredictions {

  private static final Pattern ENTRY = Pattern.compile(
      "\"image_id\"\\s*:\\s*(\\d+).*?\"category_id\"\\s*:\\s*(\\d+).*?\"bbox\"\\s*:\\s*\\[([^\\]]*)\\].*?\"score\"\\s*:\\s*([-0-9.eE]+)",
      Pattern.DOTALL);

  private record Detection(long image, long category, double[] box, double score) {}

  public static void main(String[] args) throws Exception {
    List<Detection> a = read(Path.of(args[0]));
    List<Detection> b = read(Path.of(args[1]));
    if (a.size() != b.size()) {
      System.out.printf("detections: %d (CPU) against %d (CUDA): DIFFERENT%n", a.size(), b.size());
      System.exit(1);
    }
    double worstScore = 0;
    double worstBox = 0;
    int matched = 0;
    boolean[] used = new boolean[b.size()];
    for (Detection d : a) {
      int best = -1;
      double bestDiff = Double.MAX_VALUE;
      for (int j = 0; j < b.size(); j++) {
        Detection e = b.get(j);
        if (used[j] || e.image() != d.image() || e.category() != d.category()) {
          continue;
        }
        double diff = 0;
        for (int k = 0; k < 4; k++) {
          diff = Math.max(diff, Math.abs(e.box()[k] - d.box()[k]));
        }
        if (diff < bestDiff) {
          bestDiff = diff;
          best = j;
        }
      }
      if (best >= 0 && bestDiff <= 0.5 && Math.abs(b.get(best).score() - d.score()) <= 1e-3) {
        used[best] = true;
        matched++;
        worstBox = Math.max(worstBox, bestDiff);
        worstScore = Math.max(worstScore, Math.abs(b.get(best).score() - d.score()));
      }
    }
    boolean same = matched == a.size();
    System.out.printf("detections: %d of %d matched (CUDA against CPU: box within 0.5 px, score within 1e-3);"
        + " worst box difference %.3g px, worst score difference %.3g: %s%n", matched, a.size(), worstBox,
        worstScore, same ? "SAME" : "DIFFERENT");
    System.exit(same ? 0 : 1);
  }

  private static List<Detection> read(Path file) throws Exception {
    List<Detection> out = new ArrayList<>();
    Matcher m = ENTRY.matcher(Files.readString(file));
    while (m.find()) {
      String[] parts = m.group(3).split(",");
      double[] box = new double[4];
      for (int k = 0; k < 4; k++) {
        box[k] = Double.parseDouble(parts[k].trim());
      }
      out.add(new Detection(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), box,
          Double.parseDouble(m.group(4))));
    }
    return out;
  }
}
