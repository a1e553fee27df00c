package com.example.lowlight.blur;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.lowlight.api.config.ConfigLoader;
import dev.lowlight.api.config.ModelConfig;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.api.structures.RgbImage;
import dev.lowlight.data.dataset.ProgressListener;
import dev.lowlight.data.dataset.SceneDataset;
import dev.lowlight.data.image.ImageFiles;
import dev.lowlight.data.loading.CocoLoader;
import dev.lowlight.data.scenes.SceneGenerator;
import dev.lowlight.model.MaskRcnn;
import dev.lowlight.model.Predictions;
import dev.lowlight.model.export.ExportOptions;
import dev.lowlight.model.export.ExportResult;
import dev.lowlight.model.export.OnnxExporter;
import dev.lowlight.train.Trainer;
import dev.lowlight.train.TrainingReport;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin used as a user would: named in a configuration, trained a few iterations with the
 * SDK's trainer, exported to ONNX by the SDK's exporter and run by ONNX Runtime, with no change to
 * the SDK.
 */
class BlurDenoiserTrainExportTest {

  /** A narrow Mask R-CNN on 128x96 scenes (seven scene categories + background) with the blur after res5. */
  private static final String CONFIG = """
      num_classes: 8
      backbone: {name: resnet18, options: {trainable_layers: 5, norm: batch}}
      denoise: {name: gaussian-blur, stages: [res5], options: {sigma: 1.5}}
      neck: {name: fpn, options: {out_channels: 32}}
      transform: {min_size: 96, max_size: 128}
      rpn:
        pre_nms_top_n_train: 300
        post_nms_top_n_train: 150
        pre_nms_top_n_test: 300
        post_nms_top_n_test: 100
        batch_size_per_image: 128
        anchor_sizes: [[16], [32], [48], [64], [96]]
      roi_heads:
        box_head: {name: two-mlp, options: {representation_size: 64}}
        mask_head: {name: mask-rcnn-conv, options: {layers: [16, 16], dim_reduced: 16}}
        batch_size_per_image: 64
        detections_per_img: 20
      solver: {optimizer: adamw, base_lr: 0.002, schedule: cosine, warmup_iters: 1, max_iters: 2, ims_per_batch: 2,
        clip_grad_norm: 5.0}
      """;

  @TempDir Path dir;

  @Test
  void trainsAndExportsWithTheSdkUnchanged() throws Exception {
    SceneGenerator scenes = SceneGenerator.builder().optWidth(128).optHeight(96).optMinObjects(2).optMaxObjects(4)
        .optMinObjectSize(16).optMaxObjectSize(40).build();
    Path data = dir.resolve("scenes");
    SceneDataset.write(data, 4, 3L, scenes, ProgressListener.NONE);
    ModelConfig config = ConfigLoader.parse(CONFIG, true);
    Path onnx = dir.resolve("model.onnx");
    RgbImage image = ImageFiles.read(data.resolve(SceneDataset.IMAGES).resolve("000001.png"));

    Predictions eager;
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Engine.getInstance().setRandomSeed(3);
      MaskRcnn model = MaskRcnn.builder().setConfig(config).build().initialize(manager);
      assertThat(model.plugins().get("denoise").descriptor().name()).isEqualTo("gaussian-blur");
      assertThat(model.plugins().get("denoise").descriptor().source()).contains("custom-denoiser");
      Parameter gamma = TorchNames.parameters(model.parameters()).get("backbone.denoise.res5.gamma");
      assertThat(gamma).as("the block sits after res5 under the torchvision-style name").isNotNull();
      assertThat(gamma.getArray().toFloatArray()).containsExactly(0f);

      TrainingReport report;
      try (CocoLoader loader = CocoLoader.builder().setAnnotations(data.resolve(SceneDataset.ANNOTATIONS))
          .setImageDir(data.resolve(SceneDataset.IMAGES)).setBatchSize(2).optResize(96, 128).optSeed(3)
          .optWorkers(0).build()) {
        report = Trainer.builder().setModel(model).setTrainData(loader).setRunDirectory(dir.resolve("run"))
            .optSeed(3).build().run();
      }
      assertThat(report.iterations()).isEqualTo(2);
      assertThat(report.finalMetrics().get("loss")).isFinite();
      // The gate starts at 0; training moved it, so gradients flowed through the plugin.
      assertThat(gamma.getArray().toFloatArray()[0]).isNotEqualTo(0f);
      assertThat(dir.resolve("run/model/model.safetensors")).exists();

      ExportResult exported = OnnxExporter.export(model, onnx, ExportOptions.defaults());
      assertThat(exported.nodes()).isPositive();
      eager = model.predict(image);
    }

    assertThat(onnx).exists();
    assertThat(Files.size(onnx)).isPositive();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(onnx.toString(), options)) {
      assertThat(session.getInputNames()).containsExactly(OnnxExporter.INPUT);
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      assertThat(outputs.keySet()).containsExactly(OnnxExporter.BOXES, OnnxExporter.LABELS, OnnxExporter.SCORES,
          OnnxExporter.MASKS);
      assertThat(((TensorInfo) outputs.get(OnnxExporter.BOXES).getInfo()).getShape()).hasSize(2);
      assertThat(((TensorInfo) outputs.get(OnnxExporter.MASKS).getInfo()).getShape()).hasSize(4);
      Map<String, String> meta = session.getMetadata().getCustomMetadata();
      assertThat(meta).containsEntry(OnnxExporter.META_CONTRACT, "1");
      assertThat(meta.get(OnnxExporter.META_CONFIG)).contains("gaussian-blur");

      try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(image.toChw()),
              new long[] {1, 3, image.height(), image.width()});
          OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, input))) {
        float[] boxes = floats(result, OnnxExporter.BOXES);
        float[] scores = floats(result, OnnxExporter.SCORES);
        long[] labels = ((OnnxTensor) result.get(OnnxExporter.LABELS).orElseThrow()).getLongBuffer().array();
        long[] maskShape = ((OnnxTensor) result.get(OnnxExporter.MASKS).orElseThrow()).getInfo().getShape();
        assertThat(boxes).hasSize(4 * scores.length);
        assertThat(labels).hasSize(scores.length);
        assertThat(maskShape[0]).isEqualTo(scores.length);
        // ONNX Runtime runs the plugin's own lowering: the exported graph answers as the trained model does.
        assertThat(eager.size()).as("detections to compare (scores of a barely trained model are near 1/8)")
            .isPositive();
        assertThat(scores.length).isEqualTo(eager.size());
        for (int i = 0; i < scores.length; i++) {
          assertThat(scores[i]).isCloseTo(eager.scores()[i], within(1e-3f));
          assertThat(labels[i]).isEqualTo(eager.labels()[i]);
          for (int k = 0; k < 4; k++) {
            assertThat(boxes[4 * i + k]).isCloseTo(eager.boxes()[4 * i + k], within(0.05f));
          }
        }
      }
    }
  }

  private static float[] floats(OrtSession.Result result, String name) {
    FloatBuffer fb = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
    float[] out = new float[fb.remaining()];
    fb.get(out);
    return out;
  }
}
