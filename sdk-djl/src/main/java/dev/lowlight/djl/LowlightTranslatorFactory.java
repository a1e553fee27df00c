package dev.lowlight.djl;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.nn.Block;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.djl.translate.ArgumentsUtil;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link LowlightTranslator} for a lowlight model loaded by DJL's ONNX Runtime engine, from
 * the model's own metadata: the class names ({@code class_names}) and, for a model exported with a
 * fixed size, the input size (the graph's input shape). So a DJL user passes no class names and no
 * size:
 *
 * <pre>{@code
 * Criteria<Image, DetectedObjects> criteria = Criteria.builder()
 *     .setTypes(Image.class, DetectedObjects.class)
 *     .optModelPath(Path.of("model.onnx"))
 *     .optEngine("OnnxRuntime")
 *     .optTranslatorFactory(new LowlightTranslatorFactory())
 *     .build();
 * }</pre>
 *
 * <p>The factory is named in the criteria because DJL 0.36 chooses a model's translator factory
 * from the criteria before it reads anything next to the model (a {@code serving.properties}
 * {@code translatorFactory} entry is seen only after that check), and has no service lookup for
 * factories. Arguments ({@code optArgument}): {@code threshold} (default 0.05) and {@code
 * maxDetections} (default 100).
 */
public final class LowlightTranslatorFactory implements TranslatorFactory {

  /** The value of {@code translatorFactory} in a model's {@code serving.properties}. */
  public static final String NAME = LowlightTranslatorFactory.class.getName();

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Public no-argument constructor, as DJL instantiates factories by class name. */
  public LowlightTranslatorFactory() {}

  @Override
  public Set<Pair<Type, Type>> getSupportedTypes() {
    return Set.of(new Pair<>(Image.class, DetectedObjects.class));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model,
      Map<String, ?> arguments) throws TranslateException {
    if (!isSupported(input, output)) {
      throw new IllegalArgumentException("lowlight models translate Image to DetectedObjects, not "
          + input.getName() + " to " + output.getName());
    }
    Block block = model.getBlock();
    if (!(block instanceof OrtSymbolBlock ort)) {
      throw new TranslateException("a lowlight model runs on DJL's OnnxRuntime engine (optEngine(\"OnnxRuntime\")), but "
          + model.getName() + " was loaded by " + model.getNDManager().getEngine().getEngineName());
    }
    Map<String, String> metadata = ort.getCustomMetadata();
    String names = metadata.get("class_names");
    if (names == null) {
      throw new TranslateException(model.getName() + " has no class_names metadata: not a model exported by lowlight");
    }
    List<String> classNames;
    try {
      classNames = JSON.readValue(names, new TypeReference<List<String>>() {});
    } catch (JsonProcessingException e) {
      throw new TranslateException(model.getName() + ": class_names metadata is not a JSON list of names");
    }
    long[] in = inputShape(ort, model.getName());
    int h = in.length == 4 && in[2] > 0 ? (int) in[2] : 0;
    int w = in.length == 4 && in[3] > 0 ? (int) in[3] : 0;
    float threshold = ArgumentsUtil.floatValue(arguments, "threshold", 0.05f);
    int max = ArgumentsUtil.intValue(arguments, "maxDetections", 100);
    return (Translator<I, O>) new LowlightTranslator(classNames, threshold, max, h, w);
  }

  /**
   * The {@code image} input's shape ({@code -1} for dynamic sides). DJL's block describes its inputs
   * without shapes, so the session it wraps is asked, through the field DJL keeps it in.
   */
  private static long[] inputShape(OrtSymbolBlock block, String model) throws TranslateException {
    try {
      java.lang.reflect.Field f = OrtSymbolBlock.class.getDeclaredField("session");
      f.setAccessible(true);
      OrtSession session = (OrtSession) f.get(block);
      NodeInfo input = session.getInputInfo().get("image");
      if (input == null || !(input.getInfo() instanceof TensorInfo t)) {
        throw new TranslateException(model + " has no tensor input named image: not a model exported by lowlight");
      }
      return t.getShape();
    } catch (ReflectiveOperationException | OrtException e) {
      throw new TranslateException("cannot read the input size of " + model + " from DJL's OnnxRuntime engine ("
          + e + "); pass a LowlightTranslator with the size instead", e);
    }
  }
}
