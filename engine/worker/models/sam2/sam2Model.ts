// A SAM 2 / 2.1 ONNX pair in the worker: the encoder (image -> image_embed
// and the two high-resolution feature maps) and the decoder in either of the
// two common export formats, told apart by their inputs: samexporter's (what
// X-AnyLabeling ships: 256 x 256 low-res logits out, the client upsamples)
// and ibaiGorordo's (an extra int32 orig_im_size; masks come out at H x W).
// Both give the 3 multimask candidates and their predicted IoU only.
import * as ort from 'onnxruntime-node';

import { AppError } from '../../../../common/contract/result.js';
import type { FeatureTensor } from '../../featureCache.js';
import { SAM2_ENCODER_OUTPUTS as SAM2_FEATURES, type Sam2DecoderFormat } from './manifest.js';
import type { Sam2Points } from './prompts.js';

/** The tensors a decoder run needs, from the feature cache. */
export interface Sam2Features {
  imageEmbed: FeatureTensor;
  highRes0: FeatureTensor;
  highRes1: FeatureTensor;
}

export interface Sam2Decoded {
  /** Candidate logits: [count, side, side] low-res (samexporter) or [count, H, W] (ibaigorordo). */
  masks: Float32Array;
  /** Rows x columns of each candidate's logits. */
  maskWidth: number;
  maskHeight: number;
  scores: Float32Array;
  count: number;
}

const tensorOf = (t: FeatureTensor): ort.Tensor => new ort.Tensor('float32', t.data, t.dims);

export class Sam2Model {
  constructor(
    readonly encoder: ort.InferenceSession,
    readonly decoder: ort.InferenceSession,
    readonly format: Sam2DecoderFormat,
    /** Side of the encoder's square input (1024). */
    readonly inputSize: number,
    /** Side of mask_input and the low-res logits (256). */
    readonly lowResSize: number,
  ) {}

  /** Runs the encoder on a normalised [1, 3, S, S] tensor; the three features, copied out of onnxruntime's buffers. */
  async encode(tensor: Float32Array): Promise<FeatureTensor[]> {
    const s = this.inputSize;
    if (tensor.length !== 3 * s * s) throw new AppError('bad_request', `SAM 2 encoder input must hold 3 x ${s} x ${s} values, got ${tensor.length}`);
    const out = await this.encoder.run({ [this.encoder.inputNames[0]!]: new ort.Tensor('float32', tensor, [1, 3, s, s]) });
    return SAM2_FEATURES.map((name) => {
      const t = out[name];
      if (!t || t.type !== 'float32') throw new AppError('invalid_file', `the SAM 2 encoder gave no float32 "${name}" output`);
      return { name, dims: t.dims.map(Number), data: (t.data as Float32Array).slice() };
    });
  }

  /**
   * One decoder run: the prompt points (already in the input square), and
   * the previous round's low-res logits as the memory prompt when given.
   * `imageSize` is only fed to decoders that take orig_im_size.
   */
  async decode(features: Sam2Features, points: Sam2Points, maskInput: Float32Array | undefined, imageSize: { width: number; height: number }): Promise<Sam2Decoded> {
    const lr = this.lowResSize;
    if (points.count === 0 && !maskInput) throw new AppError('bad_request', 'Give at least one prompt (click, box or scribble).');
    if (maskInput && maskInput.length !== lr * lr) throw new AppError('bad_request', `mask input has ${maskInput.length} values, the model needs ${lr} x ${lr}`);
    const feeds: Record<string, ort.Tensor> = {
      image_embed: tensorOf(features.imageEmbed),
      high_res_feats_0: tensorOf(features.highRes0),
      high_res_feats_1: tensorOf(features.highRes1),
      point_coords: new ort.Tensor('float32', points.coords, [1, points.count, 2]),
      point_labels: new ort.Tensor('float32', points.labels, [1, points.count]),
      mask_input: new ort.Tensor('float32', maskInput ?? new Float32Array(lr * lr), [1, 1, lr, lr]),
      has_mask_input: new ort.Tensor('float32', Float32Array.from([maskInput ? 1 : 0]), [1]),
    };
    if (this.format === 'ibaigorordo') feeds['orig_im_size'] = new ort.Tensor('int32', Int32Array.from([imageSize.height, imageSize.width]), [2]);
    const out = await this.decoder.run(feeds);
    const masks = out['masks'];
    const scores = out['iou_predictions'];
    if (!masks || !scores) throw new AppError('invalid_file', `the SAM 2 decoder gave ${Object.keys(out).join(', ')}; expected masks and iou_predictions`);
    const dims = masks.dims.map(Number);
    const [batch, count, h, w] = dims as [number, number, number, number];
    const expected = this.format === 'samexporter' ? [1, count, lr, lr] : [1, count, imageSize.height, imageSize.width];
    if (dims.length !== 4 || batch !== 1 || h !== expected[2] || w !== expected[3] || scores.data.length !== count)
      throw new AppError('invalid_file', `the SAM 2 decoder's masks are [${dims.join(', ')}], expected [${expected.join(', ')}] with ${count} scores`);
    return { masks: masks.data as Float32Array, maskWidth: w, maskHeight: h, scores: scores.data as Float32Array, count };
  }

  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}
