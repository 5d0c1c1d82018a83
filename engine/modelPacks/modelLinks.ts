// A short list of public model links a user may want, offered as
// suggestions in the model manager and by `promptlabel models links`.
// Nothing here is fetched until the user asks (models fetch URL). None of
// these files was downloaded or checked here, so each is marked "not
// verified here" (no sha256 is known); the download shows and records the
// sha256 it got. The official Segment Anything, MobileSAM and Ultralytics
// releases publish PyTorch weights (.pth / .pt), not ONNX: they must be
// exported first (docs/models.md); the ONNX links below are the ones the
// X-AnyLabeling project publishes for its own model configs (its
// anylabeling/configs/auto_labeling/*.yaml), whose formats this app
// recognises. Their SAM 1 / MobileSAM encoders take the raw image with the
// preprocessing inside the graph (preprocessing.encoderInput "raw-hwc",
// which the segmenter runs); they are not listed yet because their release
// URLs have not been checked here.
import type { ModelLink } from '../../common/contract/ai.js';

const XAL = 'https://github.com/CVHub520/X-AnyLabeling/releases/download';
const XAL_SOURCE = 'X-AnyLabeling release assets (github.com/CVHub520/X-AnyLabeling)';

function link(id: string, displayName: string, description: string, urls: string[], source: string): ModelLink {
  return {
    id,
    displayName,
    description: `${description} Not verified here: no sha256 is known for it.`,
    urls,
    sha256: urls.map(() => null),
    verified: false,
    source,
  };
}

export const MODEL_LINKS: readonly ModelLink[] = [
  link(
    'yolov8n',
    'YOLOv8n (COCO, 80 classes)',
    'Ultralytics YOLOv8 nano detector exported to ONNX.',
    [`${XAL}/v0.1.0/yolov8n.onnx`],
    `${XAL_SOURCE}; Ultralytics weights, AGPL-3.0`,
  ),
  link(
    'yolov8n-seg',
    'YOLOv8n-seg (COCO, 80 classes)',
    'Ultralytics YOLOv8 nano instance segmenter exported to ONNX.',
    [`${XAL}/v0.1.0/yolov8n-seg.onnx`],
    `${XAL_SOURCE}; Ultralytics weights, AGPL-3.0`,
  ),
  link(
    'yolo11s',
    'YOLO11s (COCO, 80 classes)',
    'Ultralytics YOLO11 small detector exported to ONNX.',
    [`${XAL}/v2.4.4/yolo11s.onnx`],
    `${XAL_SOURCE}; Ultralytics weights, AGPL-3.0`,
  ),
  link(
    'yolo11s-seg',
    'YOLO11s-seg (COCO, 80 classes)',
    'Ultralytics YOLO11 small instance segmenter exported to ONNX.',
    [`${XAL}/v2.4.4/yolo11s-seg.onnx`],
    `${XAL_SOURCE}; Ultralytics weights, AGPL-3.0`,
  ),
  link(
    'sam2.1-hiera-tiny',
    'SAM 2.1 Hiera Tiny',
    'Meta SAM 2.1 tiny, encoder and decoder in the samexporter ONNX format.',
    [`${XAL}/v2.5.0/sam2.1_hiera_tiny.encoder.onnx`, `${XAL}/v2.5.0/sam2.1_hiera_tiny.decoder.onnx`],
    `${XAL_SOURCE}; Meta SAM 2 weights, Apache-2.0`,
  ),
  link(
    'sam2.1-hiera-small',
    'SAM 2.1 Hiera Small',
    'Meta SAM 2.1 small, encoder and decoder in the samexporter ONNX format.',
    [`${XAL}/v2.5.0/sam2.1_hiera_small.encoder.onnx`, `${XAL}/v2.5.0/sam2.1_hiera_small.decoder.onnx`],
    `${XAL_SOURCE}; Meta SAM 2 weights, Apache-2.0`,
  ),
];
