package dev.lowlight.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lowlight.model.Losses;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG plots of a run's {@code metrics.jsonl}, drawn with JFreeChart (headless): {@code
 * training.png} holds the loss terms over iterations above the validation AP (bbox and segm AP,
 * AP50); {@code denoiser_w.png} holds each inserted denoiser's weight {@code w} at every
 * validation, when there is one.
 *
 * <pre>{@code
 * List<Path> pngs = Plots.write(runDir.resolve("metrics.jsonl"), runDir);
 * }</pre>
 */
public final class Plots {

  /** Loss and AP plot's file name. */
  public static final String TRAINING = "training.png";
  /** Denoiser weight plot's file name. */
  public static final String DENOISER_W = "denoiser_w.png";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Plots() {}

  /** Reads {@code metrics} and writes the plots into {@code dir}; returns the files written. */
  public static List<Path> write(Path metrics, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Map<String, XYSeries> losses = new LinkedHashMap<>();
    Map<String, XYSeries> ap = new LinkedHashMap<>();
    Map<String, XYSeries> w = new LinkedHashMap<>();
    for (String line : Files.readAllLines(metrics)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = JSON.readTree(line);
      int it = n.path("iteration").asInt();
      if ("train".equals(n.path("type").asText())) {
        add(losses, "loss", it, n.path("loss"));
        for (String name : Losses.NAMES) {
          add(losses, name, it, n.path(name));
        }
      } else if ("validation".equals(n.path("type").asText())) {
        add(ap, "bbox AP", it, n.path("bbox").path("AP"));
        add(ap, "bbox AP50", it, n.path("bbox").path("AP50"));
        add(ap, "segm AP", it, n.path("segm").path("AP"));
        add(ap, "segm AP50", it, n.path("segm").path("AP50"));
        for (Iterator<Map.Entry<String, JsonNode>> e = n.path("denoiser_w").fields(); e.hasNext();) {
          Map.Entry<String, JsonNode> x = e.next();
          add(w, x.getKey(), it, x.getValue());
        }
      }
    }
    List<Path> out = new ArrayList<>();
    NumberAxis iterations = new NumberAxis("iteration");
    CombinedDomainXYPlot combined = new CombinedDomainXYPlot(iterations);
    combined.add(plot(losses, "loss", false), 3);
    if (!ap.isEmpty()) {
      combined.add(plot(ap, "validation AP", true), 2);
    }
    Path training = dir.resolve(TRAINING);
    ChartUtils.saveChartAsPNG(training.toFile(), new JFreeChart("Training", JFreeChart.DEFAULT_TITLE_FONT, combined,
        true), 1000, 800);
    out.add(training);
    if (!w.isEmpty()) {
      CombinedDomainXYPlot wPlot = new CombinedDomainXYPlot(new NumberAxis("iteration"));
      wPlot.add(plot(w, "denoiser w", true));
      Path file = dir.resolve(DENOISER_W);
      ChartUtils.saveChartAsPNG(file.toFile(), new JFreeChart("Denoiser weights w", JFreeChart.DEFAULT_TITLE_FONT,
          wPlot, true), 1000, 500);
      out.add(file);
    }
    return out;
  }

  private static void add(Map<String, XYSeries> series, String name, int x, JsonNode y) {
    if (y.isNumber() && Double.isFinite(y.asDouble())) {
      series.computeIfAbsent(name, k -> new XYSeries(k, true, true)).addOrUpdate(x, y.asDouble());
    }
  }

  private static XYPlot plot(Map<String, XYSeries> series, String label, boolean shapes) {
    XYSeriesCollection data = new XYSeriesCollection();
    series.values().forEach(data::addSeries);
    NumberAxis y = new NumberAxis(label);
    y.setAutoRangeIncludesZero(true);
    return new XYPlot(data, null, y, new XYLineAndShapeRenderer(true, shapes));
  }
}
