"""shapes-seem-tiny: a small SEEM-style promptable segmenter.

ImageEncoder  image [B,3,S,S] -> image_embeddings [B,C,S/8,S/8]
              (C = SEM semantic channels + SKIP channels that carry a
              1/2-resolution edge map folded by pixel-unshuffle, so the
              decoder can draw sharp low-res masks from the one tensor)
PromptDecoder SAM-style two-way transformer over point / box / text /
              reference tokens; K=3 mask candidates, IoU predictions and a
              per-candidate class embedding in the text space.
TextEncoder   token ids -> contextual token features -> masked mean (APE)
              -> projection -> L2-normalised sentence embedding [B,D].
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import GRID, INPUT_SIZE

SEM = 96
SKIP_CH = 4  # channels at S/2, folded 4x4 -> SKIP_CH*16 channels at S/8
C_EMB = SEM + SKIP_CH * 16
D_TEXT = 64
K = 3
DIM = SEM
SHAPE_N = 24  # side of the normalised mask crop the shape head sees
SHAPE_D = 64


class ConvBN(nn.Sequential):
    def __init__(self, cin: int, cout: int, stride: int = 1, dil: int = 1, act: bool = True):
        layers: list[nn.Module] = [nn.Conv2d(cin, cout, 3, stride, dil, dilation=dil, bias=False), nn.BatchNorm2d(cout)]
        if act:
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class ResBlock(nn.Module):
    def __init__(self, ch: int, dil: int = 1):
        super().__init__()
        self.a = ConvBN(ch, ch, dil=dil)
        self.b = ConvBN(ch, ch, dil=dil, act=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.b(self.a(x)))


class ImageEncoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = ConvBN(3, 16, 2)  # S/2
        self.skip = nn.Conv2d(16, SKIP_CH, 1)
        self.down1 = nn.Sequential(ConvBN(16, 32, 2), ResBlock(32))  # S/4
        self.down2 = ConvBN(32, SEM, 2)  # S/8
        self.blocks = nn.Sequential(ResBlock(SEM, 1), ResBlock(SEM, 2), ResBlock(SEM, 4))
        self.out = nn.Conv2d(SEM, SEM, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h2 = self.stem(x)
        sem = self.out(self.blocks(self.down2(self.down1(h2))))
        skip = F.pixel_unshuffle(torch.tanh(self.skip(h2)), 4)
        return torch.cat([sem, skip], 1)


class MLP(nn.Module):
    def __init__(self, cin: int, hidden: int, cout: int, layers: int = 2):
        super().__init__()
        dims = [cin] + [hidden] * (layers - 1) + [cout]
        self.lins = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, lin in enumerate(self.lins):
            x = lin(x)
            if i < len(self.lins) - 1:
                x = F.relu(x)
        return x


class Attention(nn.Module):
    """Plain multi-head attention written with matmuls (clean ONNX export)."""

    def __init__(self, dim: int, heads: int, inner: int | None = None):
        super().__init__()
        inner = inner or dim
        self.h = heads
        self.q = nn.Linear(dim, inner)
        self.k = nn.Linear(dim, inner)
        self.v = nn.Linear(dim, inner)
        self.o = nn.Linear(inner, dim)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        b = q.shape[0]
        q = self.q(q).view(b, q.shape[1], self.h, -1).transpose(1, 2)
        k = self.k(k).view(b, k.shape[1], self.h, -1).transpose(1, 2)
        v = self.v(v).view(b, v.shape[1], self.h, -1).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), -1)
        out = (att @ v).transpose(1, 2).reshape(b, -1, self.h * q.shape[-1])
        return self.o(out)


class TwoWayBlock(nn.Module):
    def __init__(self, dim: int, heads: int = 4, mlp: int = 192, skip_first_pe: bool = False):
        super().__init__()
        self.self_attn = Attention(dim, heads)
        self.n1 = nn.LayerNorm(dim)
        self.t2i = Attention(dim, heads, dim // 2)
        self.n2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, mlp, dim)
        self.n3 = nn.LayerNorm(dim)
        self.i2t = Attention(dim, heads, dim // 2)
        self.n4 = nn.LayerNorm(dim)
        self.skip_first_pe = skip_first_pe

    def forward(self, tok: torch.Tensor, img: torch.Tensor, tok_pe: torch.Tensor, img_pe: torch.Tensor):
        if self.skip_first_pe:
            tok = self.self_attn(tok, tok, tok)
        else:
            q = tok + tok_pe
            tok = tok + self.self_attn(q, q, tok)
        tok = self.n1(tok)
        tok = self.n2(tok + self.t2i(tok + tok_pe, img + img_pe, img))
        tok = self.n3(tok + self.mlp(tok))
        img = self.n4(img + self.i2t(img + img_pe, tok + tok_pe, tok))
        return tok, img


class ShapeHead(nn.Module):
    """What a candidate mask looks like, independent of where it is and how
    big: the mask is resampled (grid_sample) onto a SHAPE_N x SHAPE_N grid
    centred on its centroid and scaled by its spread (second moments), then
    read by a small CNN. Colour alone cannot tell a red circle from a red
    star; the outline can."""

    def __init__(self) -> None:
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),  # 12
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),  # 6
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),  # 3
        )
        self.fc = nn.Linear(64 * 9, SHAPE_D)
        t = (torch.arange(SHAPE_N, dtype=torch.float32) + 0.5) / SHAPE_N * 2 - 1
        gy, gx = torch.meshgrid(t, t, indexing="ij")
        self.register_buffer("unit_grid", torch.stack([gx, gy], -1).view(1, SHAPE_N, SHAPE_N, 2))

    def forward(self, prob: torch.Tensor) -> torch.Tensor:
        """prob [B,K,H,W] in [0,1] -> [B,K,SHAPE_D]."""
        b, k, h, w = prob.shape
        p = prob.reshape(b * k, 1, h, w)
        xs = ((torch.arange(w, dtype=p.dtype) + 0.5) / w * 2 - 1).view(1, 1, 1, w)
        ys = ((torch.arange(h, dtype=p.dtype) + 0.5) / h * 2 - 1).view(1, 1, h, 1)
        mass = p.sum((2, 3)) + 1e-3  # [BK,1]
        cx = (p * xs).sum((2, 3)) / mass
        cy = (p * ys).sum((2, 3)) / mass
        var = (p * ((xs - cx.view(-1, 1, 1, 1)) ** 2 + (ys - cy.view(-1, 1, 1, 1)) ** 2)).sum((2, 3)) / mass
        r = 2.0 * torch.sqrt(var + 1e-6)  # ~ the shape's extent around its centroid
        centre = torch.stack([cx, cy], -1).view(-1, 1, 1, 2)
        grid = centre + r.view(-1, 1, 1, 1) * self.unit_grid
        crop = F.grid_sample(p, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        return self.fc(self.cnn(crop).flatten(1)).view(b, k, SHAPE_D)


class PromptDecoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.register_buffer("pe_gauss", torch.randn(2, DIM // 2, generator=g))
        # label-type embeddings: 0 neg, 1 pos, 2 box-TL, 3 box-BR, 4 not-a-point
        self.label_embed = nn.Parameter(torch.randn(5, DIM) * 0.1)
        self.out_tokens = nn.Parameter(torch.randn(1 + K, DIM) * 0.1)  # iou + K masks
        self.text_proj = MLP(D_TEXT, DIM, DIM)
        self.ref_proj = MLP(C_EMB, DIM, DIM)
        self.absent = nn.Parameter(torch.randn(2, DIM) * 0.1)  # no text / no ref
        self.img_proj = nn.Conv2d(C_EMB, DIM, 1)
        self.mask_down = nn.Sequential(
            nn.Conv2d(1, 8, 2, 2), nn.GELU(), nn.Conv2d(8, 32, 2, 2), nn.GELU(), nn.Conv2d(32, DIM, 1))
        self.no_mask = nn.Parameter(torch.zeros(1, DIM, 1, 1))
        # dense prompt maps (positive / negative click disks, box interior) -> features
        self.prompt_maps = nn.Conv2d(3, DIM, 1)
        self.blocks = nn.ModuleList([TwoWayBlock(DIM, skip_first_pe=True), TwoWayBlock(DIM)])
        self.final_attn = Attention(DIM, 4, DIM // 2)
        self.final_norm = nn.LayerNorm(DIM)
        self.up1 = nn.ConvTranspose2d(DIM, 32, 2, 2)
        self.up_norm = nn.GroupNorm(1, 32)
        self.up2 = nn.ConvTranspose2d(32, 16, 2, 2)
        self.fuse = nn.Sequential(nn.Conv2d(16 + SKIP_CH, 16, 1), nn.GELU(), nn.Conv2d(16, 16, 1))
        self.hyper = nn.ModuleList(MLP(DIM, DIM, 16, 3) for _ in range(K))
        self.iou_head = MLP(DIM, DIM, K, 3)
        self.shape_head = ShapeHead()
        self.class_head = MLP(DIM + SEM + SHAPE_D, DIM, D_TEXT, 2)
        ys, xs = torch.meshgrid(torch.arange(GRID), torch.arange(GRID), indexing="ij")
        grid = torch.stack([(xs + 0.5) / GRID, (ys + 0.5) / GRID], -1).view(-1, 2)
        self.register_buffer("grid_xy", grid)

    def pe(self, xy01: torch.Tensor) -> torch.Tensor:
        """Fourier positional encoding of coordinates in [0,1] (SAM's random PE)."""
        p = (2 * xy01 - 1) @ self.pe_gauss * (2 * math.pi)
        return torch.cat([torch.sin(p), torch.cos(p)], -1)

    def dense_prompts(self, coords: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """[B,3,g,g]: Gaussian disks (sigma 12 px) around positive and negative
        points, and the box interior (soft edges) when box corners are given."""
        b = coords.shape[0]
        cell = self.grid_xy * INPUT_SIZE  # [g*g,2] cell centres in model px
        d2 = ((cell.view(1, -1, 1, 2) - coords.view(b, 1, -1, 2)) ** 2).sum(-1)  # [B,g*g,N]
        disk = torch.exp(-d2 / (2 * 12.0 ** 2))
        pos = (labels == 1).to(coords.dtype).unsqueeze(1)
        neg = (labels == 0).to(coords.dtype).unsqueeze(1)
        pos_map = (disk * pos).amax(-1)
        neg_map = (disk * neg).amax(-1)
        tl_w = (labels == 2).to(coords.dtype).unsqueeze(-1)
        br_w = (labels == 3).to(coords.dtype).unsqueeze(-1)
        tl = (coords * tl_w).sum(1)  # [B,2]
        br = (coords * br_w).sum(1)
        has_box = tl_w.amax((1, 2)).view(b, 1)
        x = cell[:, 0].view(1, -1)
        y = cell[:, 1].view(1, -1)
        t = 4.0
        inside = (torch.sigmoid((x - tl[:, :1]) / t) * torch.sigmoid((br[:, :1] - x) / t)
                  * torch.sigmoid((y - tl[:, 1:]) / t) * torch.sigmoid((br[:, 1:] - y) / t)) * has_box
        return torch.stack([pos_map, neg_map, inside], 1).view(b, 3, GRID, GRID)

    def forward(self, emb: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor, mask_input: torch.Tensor,
                has_mask: torch.Tensor, text: torch.Tensor, has_text: torch.Tensor, ref: torch.Tensor,
                has_ref: torch.Tensor):
        """emb [B,C,g,g]; coords [B,N,2] model-frame px; labels [B,N]; mask_input [B,1,4g,4g];
        has_mask/has_text/has_ref [B]; text [B,D]; ref [B,C].
        Returns low-res mask logits [B,K,4g,4g], iou [B,K], class embeddings [B,K,D]."""
        b = emb.shape[0]
        # --- prompt tokens
        xy = (coords + 0.5) / INPUT_SIZE
        is_pad = (labels == -1).to(emb.dtype).unsqueeze(-1)
        pt = self.pe(xy) * (1 - is_pad)
        lab = labels.clamp(min=-1).long()
        lab = torch.where(lab < 0, torch.full_like(lab, 4), lab)
        pt = pt + self.label_embed[lab]
        ht = has_text.view(b, 1)
        hr = has_ref.view(b, 1)
        text_tok = ht * self.text_proj(text) + (1 - ht) * self.absent[0]
        ref_tok = hr * self.ref_proj(ref) + (1 - hr) * self.absent[1]
        out_tok = self.out_tokens.unsqueeze(0).expand(b, -1, -1)
        tokens = torch.cat([out_tok, text_tok.unsqueeze(1), ref_tok.unsqueeze(1), pt], 1)
        tok_pe = tokens
        # --- dense image features (+ memory prompt: previous mask)
        skip = emb[:, SEM:]
        img = self.img_proj(emb)
        hm = has_mask.view(b, 1, 1, 1)
        img = img + hm * self.mask_down(mask_input) + (1 - hm) * self.no_mask
        img = img + self.prompt_maps(self.dense_prompts(coords, labels))
        img_seq = img.flatten(2).transpose(1, 2)
        img_pe = self.pe(self.grid_xy).unsqueeze(0)
        tok = tokens
        for blk in self.blocks:
            tok, img_seq = blk(tok, img_seq, tok_pe, img_pe)
        tok = self.final_norm(tok + self.final_attn(tok + tok_pe, img_seq + img_pe, img_seq))
        # --- masks
        img = img_seq.transpose(1, 2).reshape(b, DIM, GRID, GRID)
        up = F.gelu(self.up_norm(self.up1(img)))
        up = F.gelu(self.up2(up))
        up = self.fuse(torch.cat([up, F.pixel_shuffle(skip, 4)], 1))
        hyper = torch.stack([h(tok[:, 1 + i]) for i, h in enumerate(self.hyper)], 1)  # [B,K,16]
        low = (hyper @ up.flatten(2)).view(b, K, 4 * GRID, 4 * GRID)
        iou = self.iou_head(tok[:, 0])
        # class: mask token + encoder features pooled under the (detached) mask
        prob = torch.sigmoid(low.detach())  # [B,K,4g,4g]
        w = F.avg_pool2d(prob, 4).flatten(2)  # [B,K,g*g]
        sem = emb[:, :SEM].flatten(2).transpose(1, 2)  # [B,g*g,SEM]
        pooled = (w @ sem) / (w.sum(-1, keepdim=True) + 1e-3)
        shape = self.shape_head(prob)
        cls = F.normalize(self.class_head(torch.cat([tok[:, 1:1 + K], pooled, shape], -1)), dim=-1)
        return low, iou, cls


class TextEncoder(nn.Module):
    def __init__(self, vocab: int, max_len: int = 32):
        super().__init__()
        self.tok = nn.Embedding(vocab, D_TEXT)
        self.pos = nn.Parameter(torch.randn(max_len, D_TEXT) * 0.02)
        self.attn = Attention(D_TEXT, 4)
        self.n1 = nn.LayerNorm(D_TEXT)
        self.mlp = MLP(D_TEXT, 128, D_TEXT)
        self.n2 = nn.LayerNorm(D_TEXT)
        self.proj = MLP(D_TEXT, 128, D_TEXT)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """ids [B,T] int64, mask [B,T] (1 real token, 0 padding) -> [B,D] unit vectors."""
        t = ids.shape[1]
        m = mask.to(torch.float32)
        x = self.tok(ids) + self.pos[:t].unsqueeze(0)
        # attention that ignores padding keys
        b = x.shape[0]
        a = self.attn
        q = a.q(x).view(b, t, a.h, -1).transpose(1, 2)
        k = a.k(x).view(b, t, a.h, -1).transpose(1, 2)
        v = a.v(x).view(b, t, a.h, -1).transpose(1, 2)
        logits = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + (1 - m).view(b, 1, 1, t) * -1e4
        ctx = (torch.softmax(logits, -1) @ v).transpose(1, 2).reshape(b, t, -1)
        x = self.n1(x + a.o(ctx))
        x = self.n2(x + self.mlp(x))
        # APE-style sentence embedding: mean over the phrase's tokens
        pooled = (x * m.unsqueeze(-1)).sum(1) / m.sum(1, keepdim=True).clamp(min=1)
        return F.normalize(self.proj(pooled), dim=-1)


def postprocess_masks(low: torch.Tensor, orig_im_size: torch.Tensor) -> torch.Tensor:
    """SAM export's mask post-processing: upscale to S, crop the padding,
    resize to the original image size (dynamic H, W)."""
    masks = F.interpolate(low, (INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False)
    scale = INPUT_SIZE / torch.max(orig_im_size)
    pre = torch.floor(orig_im_size * scale + 0.5).to(torch.int64)
    masks = masks[..., : pre[0], : pre[1]]
    hw = orig_im_size.to(torch.int64)
    return F.interpolate(masks, size=(hw[0], hw[1]), mode="bilinear", align_corners=False)
