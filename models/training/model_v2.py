"""shapes-seem v2 (issue 19): the v1 contract (one encoder output, SAM's
decoder signature + text/ref extras, class embedding in the text space) with
the changes that attack v1's diagnosed limits, plus a PixelLLM-style
caption head.

ImageEncoder2  image [B,3,S,S] -> image_embeddings [B,C_EMB,S/8,S/8]
               = semantic features (SEM) + SAM 2-style high-resolution
               features folded by pixel-unshuffle into the same tensor (the
               app's encoder contract has ONE output): HR1 channels at S/4
               (unshuffle 2) and HR0 channels at S/2 (unshuffle 4).
PromptDecoder2 v1's two-way transformer; its upsampler rebuilds mask features
               at S/4 from HR1 (skip connection) and at S/2 from HR0, so the
               low-res masks keep corners. The class head reads the S/4 mask
               features UNDER each predicted mask: a crop centred on the mask
               and scaled to its extent (grid_sample) of [mask, features],
               read by a small CNN, with the mask token and pooled features.
CaptionHead    image_embeddings (+ optional region box) -> memory (context,
               once per image/region); memory + words so far -> next-word
               logits and, per word, a point (PixelLLM's per-token location).
TextEncoder    unchanged from v1 (the shared text/class embedding space).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import GRID, INPUT_SIZE
from model import D_TEXT, K, MLP, Attention, ConvBN, ResBlock, TextEncoder, TwoWayBlock, postprocess_masks

SEM = 128
HR0 = 4  # channels at S/2 -> 64 folded channels
HR1 = 16  # channels at S/4 -> 64 folded channels
C_EMB = SEM + HR1 * 4 + HR0 * 16
DIM = 128
F4 = 32  # mask-feature channels at S/4
F2 = 16  # mask-feature channels at S/2 (the hypernetwork's output size)
ROI = 24  # side of the class head's crop
ROI_D = 96
CAP_D = 96  # caption head width
CAP_LAYERS = 2
CAP_HEADS = 4
MAX_CAPTION = 64
LOWRES = 4 * GRID

__all__ = ["SEM", "C_EMB", "D_TEXT", "K", "LOWRES", "ImageEncoder2", "PromptDecoder2", "CaptionHead", "TextEncoder",
           "postprocess_masks", "fourier"]


def fourier(xy01: torch.Tensor, gauss: torch.Tensor) -> torch.Tensor:
    p = (2 * xy01 - 1) @ gauss * (2 * math.pi)
    return torch.cat([torch.sin(p), torch.cos(p)], -1)


class ImageEncoder2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(ConvBN(3, 24, 2), ResBlock(24))  # S/2
        self.hr0 = nn.Conv2d(24, HR0, 1)
        self.down1 = nn.Sequential(ConvBN(24, 48, 2), ResBlock(48), ResBlock(48))  # S/4
        self.hr1 = nn.Conv2d(48, HR1, 1)
        self.down2 = ConvBN(48, SEM, 2)  # S/8
        self.blocks = nn.Sequential(ResBlock(SEM, 1), ResBlock(SEM, 2), ResBlock(SEM, 4), ResBlock(SEM, 8), ResBlock(SEM, 1))
        self.out = nn.Conv2d(SEM, SEM, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h2 = self.stem(x)
        h4 = self.down1(h2)
        sem = self.out(self.blocks(self.down2(h4)))
        f1 = F.pixel_unshuffle(torch.tanh(self.hr1(h4)), 2)
        f0 = F.pixel_unshuffle(torch.tanh(self.hr0(h2)), 4)
        return torch.cat([sem, f1, f0], 1)


def split_embeddings(emb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """image_embeddings -> (semantic [B,SEM,g,g], HR1 [B,HR1,2g,2g], HR0 [B,HR0,4g,4g])."""
    sem = emb[:, :SEM]
    f1 = F.pixel_shuffle(emb[:, SEM:SEM + HR1 * 4], 2)
    f0 = F.pixel_shuffle(emb[:, SEM + HR1 * 4:], 4)
    return sem, f1, f0


class RoIHead(nn.Module):
    """Reads [mask, features] on a ROI x ROI grid centred on the mask's
    centroid and scaled by its spread: what the object looks like (outline and
    appearance), independent of where it is and how big."""

    def __init__(self, cin: int) -> None:
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(cin, 48, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),  # 12
            nn.Conv2d(48, 64, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),  # 6
            nn.Conv2d(64, 96, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),  # 3
        )
        self.fc = nn.Linear(96 * 9, ROI_D)
        t = (torch.arange(ROI, dtype=torch.float32) + 0.5) / ROI * 2 - 1
        gy, gx = torch.meshgrid(t, t, indexing="ij")
        self.register_buffer("unit_grid", torch.stack([gx, gy], -1).view(1, ROI, ROI, 2))

    def forward(self, prob: torch.Tensor, feats: torch.Tensor) -> torch.Tensor:
        """prob [B,K,h,w] in [0,1]; feats [B,F,h',w'] (same frame) -> [B,K,ROI_D]."""
        b, k, h, w = prob.shape
        p = prob.reshape(b * k, 1, h, w)
        xs = ((torch.arange(w, dtype=p.dtype, device=p.device) + 0.5) / w * 2 - 1).view(1, 1, 1, w)
        ys = ((torch.arange(h, dtype=p.dtype, device=p.device) + 0.5) / h * 2 - 1).view(1, 1, h, 1)
        mass = p.sum((2, 3)) + 1e-3
        cx = (p * xs).sum((2, 3)) / mass
        cy = (p * ys).sum((2, 3)) / mass
        var = (p * ((xs - cx.view(-1, 1, 1, 1)) ** 2 + (ys - cy.view(-1, 1, 1, 1)) ** 2)).sum((2, 3)) / mass
        r = 2.0 * torch.sqrt(var + 1e-6)
        grid = torch.stack([cx, cy], -1).view(-1, 1, 1, 2) + r.view(-1, 1, 1, 1) * self.unit_grid  # [BK,R,R,2]
        m = F.grid_sample(p, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        # the K crops of one image stacked along the grid's height: no K-fold copy of the features
        f = F.grid_sample(feats, grid.view(b, k * ROI, ROI, 2), mode="bilinear", padding_mode="zeros", align_corners=False)
        f = f.view(b, feats.shape[1], k, ROI, ROI).transpose(1, 2).reshape(b * k, feats.shape[1], ROI, ROI)
        return self.fc(self.cnn(torch.cat([m, f * m], 1)).flatten(1)).view(b, k, ROI_D)


class PromptDecoder2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.register_buffer("pe_gauss", torch.randn(2, DIM // 2, generator=g))
        self.label_embed = nn.Parameter(torch.randn(5, DIM) * 0.1)  # 0 neg, 1 pos, 2 box-TL, 3 box-BR, 4 padding
        self.out_tokens = nn.Parameter(torch.randn(1 + K, DIM) * 0.1)
        self.text_proj = MLP(D_TEXT, DIM, DIM)
        self.ref_proj = MLP(C_EMB, DIM, DIM)
        self.absent = nn.Parameter(torch.randn(2, DIM) * 0.1)
        self.img_proj = nn.Conv2d(C_EMB, DIM, 1)
        # ReLU, not v1's GELU, on the full-resolution paths: GELU costs several times more on CPUs
        self.mask_down = nn.Sequential(nn.Conv2d(1, 8, 2, 2), nn.ReLU(), nn.Conv2d(8, 32, 2, 2), nn.ReLU(), nn.Conv2d(32, DIM, 1))
        self.no_mask = nn.Parameter(torch.zeros(1, DIM, 1, 1))
        self.prompt_maps = nn.Conv2d(3, DIM, 1)
        self.blocks = nn.ModuleList([TwoWayBlock(DIM, skip_first_pe=True, mlp=256), TwoWayBlock(DIM, mlp=256)])
        self.final_attn = Attention(DIM, 4, DIM // 2)
        self.final_norm = nn.LayerNorm(DIM)
        self.up1 = nn.ConvTranspose2d(DIM, F4, 2, 2)  # S/4
        self.up_norm = nn.GroupNorm(1, F4)
        self.fuse4 = nn.Sequential(nn.Conv2d(F4 + HR1, F4, 1), nn.ReLU(), nn.Conv2d(F4, F4, 1))
        self.up2 = nn.ConvTranspose2d(F4, F2, 2, 2)  # S/2
        self.fuse2 = nn.Sequential(nn.Conv2d(F2 + HR0, F2, 1), nn.ReLU(), nn.Conv2d(F2, F2, 1))
        self.hyper = nn.ModuleList(MLP(DIM, DIM, F2, 3) for _ in range(K))
        self.iou_head = MLP(DIM, DIM, K, 3)
        self.roi_head = RoIHead(1 + F4)
        self.class_head = MLP(DIM + SEM + F4 + ROI_D, DIM, D_TEXT, 2)
        ys, xs = torch.meshgrid(torch.arange(GRID), torch.arange(GRID), indexing="ij")
        self.register_buffer("grid_xy", torch.stack([(xs + 0.5) / GRID, (ys + 0.5) / GRID], -1).view(-1, 2))

    def pe(self, xy01: torch.Tensor) -> torch.Tensor:
        return fourier(xy01, self.pe_gauss)

    def dense_prompts(self, coords: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """[B,3,g,g]: Gaussian disks around positive / negative points and the box interior (as v1)."""
        b = coords.shape[0]
        cell = self.grid_xy * INPUT_SIZE
        d2 = ((cell.view(1, -1, 1, 2) - coords.view(b, 1, -1, 2)) ** 2).sum(-1)
        disk = torch.exp(-d2 / (2 * 12.0 ** 2))
        pos = (labels == 1).to(coords.dtype).unsqueeze(1)
        neg = (labels == 0).to(coords.dtype).unsqueeze(1)
        tl_w = (labels == 2).to(coords.dtype).unsqueeze(-1)
        br_w = (labels == 3).to(coords.dtype).unsqueeze(-1)
        tl = (coords * tl_w).sum(1)
        br = (coords * br_w).sum(1)
        has_box = tl_w.amax((1, 2)).view(b, 1)
        inside = box_interior(cell, tl, br) * has_box
        return torch.stack([(disk * pos).amax(-1), (disk * neg).amax(-1), inside], 1).view(b, 3, GRID, GRID)

    def forward(self, emb, coords, labels, mask_input, has_mask, text, has_text, ref, has_ref):
        """As v1's PromptDecoder: low-res logits [B,K,4g,4g], iou [B,K], class embeddings [B,K,D]."""
        b = emb.shape[0]
        sem, f1, f0 = split_embeddings(emb)
        xy = (coords + 0.5) / INPUT_SIZE
        is_pad = (labels == -1).to(emb.dtype).unsqueeze(-1)
        pt = self.pe(xy) * (1 - is_pad)
        lab = labels.clamp(min=-1).long()
        lab = torch.where(lab < 0, torch.full_like(lab, 4), lab)
        pt = pt + self.label_embed[lab]
        ht, hr = has_text.view(b, 1), has_ref.view(b, 1)
        text_tok = ht * self.text_proj(text) + (1 - ht) * self.absent[0]
        ref_tok = hr * self.ref_proj(ref) + (1 - hr) * self.absent[1]
        tokens = torch.cat([self.out_tokens.unsqueeze(0).expand(b, -1, -1), text_tok.unsqueeze(1), ref_tok.unsqueeze(1), pt], 1)
        tok_pe = tokens
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
        img = img_seq.transpose(1, 2).reshape(b, DIM, GRID, GRID)
        x4 = F.relu(self.up_norm(self.up1(img)))
        x4 = self.fuse4(torch.cat([x4, f1], 1))  # mask features at S/4
        x2 = self.fuse2(torch.cat([F.relu(self.up2(x4)), f0], 1))  # at S/2
        hyper = torch.stack([h(tok[:, 1 + i]) for i, h in enumerate(self.hyper)], 1)
        low = (hyper @ x2.flatten(2)).view(b, K, 4 * GRID, 4 * GRID)
        iou = self.iou_head(tok[:, 0])
        # class: mask token + features pooled under the mask + the RoI read at S/4
        prob = torch.sigmoid(low.detach().float())  # fp32 under autocast too: centroids and spreads are sums over 128^2
        w8 = F.avg_pool2d(prob, 4).flatten(2)  # [B,K,g*g]
        pooled_sem = (w8 @ sem.flatten(2).transpose(1, 2)) / (w8.sum(-1, keepdim=True) + 1e-3)
        w4 = F.avg_pool2d(prob, 2).flatten(2)  # [B,K,4g*g]
        pooled4 = (w4 @ x4.flatten(2).transpose(1, 2)) / (w4.sum(-1, keepdim=True) + 1e-3)
        roi = self.roi_head(prob, x4)
        cls = F.normalize(self.class_head(torch.cat([tok[:, 1:1 + K], pooled_sem, pooled4, roi], -1)), dim=-1)
        return low, iou, cls


def box_interior(cell: torch.Tensor, tl: torch.Tensor, br: torch.Tensor, t: float = 4.0) -> torch.Tensor:
    """Soft inside-the-box weight of each cell centre; cell [P,2], tl/br [B,2] -> [B,P]."""
    x, y = cell[:, 0].view(1, -1), cell[:, 1].view(1, -1)
    return (torch.sigmoid((x - tl[:, :1]) / t) * torch.sigmoid((br[:, :1] - x) / t)
            * torch.sigmoid((y - tl[:, 1:]) / t) * torch.sigmoid((br[:, 1:] - y) / t))


class CaptionLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.n1 = nn.LayerNorm(CAP_D)
        self.self_attn = Attention(CAP_D, CAP_HEADS)
        self.n2 = nn.LayerNorm(CAP_D)
        self.q = nn.Linear(CAP_D, CAP_D)
        self.o = nn.Linear(CAP_D, CAP_D)
        self.k = nn.Linear(CAP_D, CAP_D)  # applied to the memory in context()
        self.v = nn.Linear(CAP_D, CAP_D)
        self.n3 = nn.LayerNorm(CAP_D)
        self.mlp = MLP(CAP_D, 2 * CAP_D, CAP_D)

    def forward(self, x: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        a = self.self_attn
        h = self.n1(x)
        q = a.q(h).view(b, t, CAP_HEADS, -1).transpose(1, 2)
        kk = a.k(h).view(b, t, CAP_HEADS, -1).transpose(1, 2)
        vv = a.v(h).view(b, t, CAP_HEADS, -1).transpose(1, 2)
        att = torch.softmax(q @ kk.transpose(-1, -2) / math.sqrt(q.shape[-1]) + causal, -1)
        x = x + a.o((att @ vv).transpose(1, 2).reshape(b, t, CAP_D))
        q = self.q(self.n2(x)).view(b, t, CAP_HEADS, -1).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), -1)  # k, v [B,H,M,d]
        x = x + self.o((att @ v).transpose(1, 2).reshape(b, t, CAP_D))
        return x + self.mlp(self.n3(x))


class CaptionHead(nn.Module):
    """PixelLLM-style captioner over the cached image embeddings.

    context(emb, region_box, has_region_box) -> memory [B, 2*L+1, H, M, CAP_D/H]
      (each layer's cross-attention keys and values over the image tokens and
      one region token, then the pointer's keys: computed once per image and
      region);
    step(memory, token_ids) -> word_logits [B,T,V], word_points [B,T,2]:
      position t reads the words up to t (BOS first) and predicts word t+1
      and that word's point, in model-frame pixels like point_coords.

    The point is a pointer over the image tokens (softmax over the grid
    cells, then `pointed`), not a regression from the word's state: the
    word picks WHERE among the features, which a frozen encoder's features
    support better than reading coordinates out of a token (on the shipped
    model's frozen features: regression 0.52 teacher-forced point accuracy,
    the pointer 0.60, read around its most likely cell 0.72)."""

    def __init__(self, vocab: int, in_channels: int = C_EMB) -> None:
        """in_channels: the image embeddings' channels (v2's encoder, or a
        frozen shipped encoder's: train_caption_head.py)."""
        super().__init__()
        g = torch.Generator().manual_seed(1)
        self.register_buffer("pe_gauss", torch.randn(2, CAP_D // 2, generator=g))
        self.img_proj = nn.Conv2d(in_channels, CAP_D, 1)
        # Each image token sees its 5 x 5 cells (40 px) before the words
        # read it: a cell's own features say its colour, an object's shape
        # and size are spread over its neighbours. The last layer starts at
        # zero, so a head trained without it continues where it was.
        self.img_context = nn.Sequential(nn.Conv2d(CAP_D, CAP_D, 3, padding=1), nn.GELU(), nn.Conv2d(CAP_D, CAP_D, 3, padding=1))
        nn.init.zeros_(self.img_context[2].weight)
        nn.init.zeros_(self.img_context[2].bias)
        self.region_map = nn.Conv2d(1, CAP_D, 1)
        self.region_tok = MLP(2 * CAP_D, CAP_D, CAP_D)
        self.no_region = nn.Parameter(torch.randn(CAP_D) * 0.1)
        self.mem_norm = nn.LayerNorm(CAP_D)
        self.tok = nn.Embedding(vocab, CAP_D)
        self.pos = nn.Parameter(torch.randn(MAX_CAPTION + 1, CAP_D) * 0.02)
        self.layers = nn.ModuleList(CaptionLayer() for _ in range(CAP_LAYERS))
        self.out_norm = nn.LayerNorm(CAP_D)
        self.word = nn.Linear(CAP_D, vocab)
        self.pointer_q = nn.Linear(CAP_D, CAP_D)
        self.pointer_k = nn.Linear(CAP_D, CAP_D)
        ys, xs = torch.meshgrid(torch.arange(GRID), torch.arange(GRID), indexing="ij")
        self.register_buffer("grid_xy", torch.stack([(xs + 0.5) / GRID, (ys + 0.5) / GRID], -1).view(-1, 2))

    def context(self, emb: torch.Tensor, region_box: torch.Tensor, has_region_box: torch.Tensor) -> torch.Tensor:
        b = emb.shape[0]
        hr = has_region_box.view(b, 1)
        inside = box_interior(self.grid_xy * INPUT_SIZE, region_box[:, :2], region_box[:, 2:]) * hr  # [B,g*g]
        img = self.img_proj(emb)
        img = img + self.img_context(img) + self.region_map(inside.view(b, 1, GRID, GRID))
        seq = img.flatten(2).transpose(1, 2) + fourier(self.grid_xy, self.pe_gauss).unsqueeze(0)
        corners = torch.cat([fourier(region_box[:, :2] / INPUT_SIZE, self.pe_gauss),
                             fourier(region_box[:, 2:] / INPUT_SIZE, self.pe_gauss)], -1)
        rtok = hr * self.region_tok(corners) + (1 - hr) * self.no_region
        mem = self.mem_norm(torch.cat([rtok.unsqueeze(1), seq], 1))  # [B,M,CAP_D]
        m = mem.shape[1]
        kv = []
        for layer in self.layers:
            kv.append(layer.k(mem).view(b, m, CAP_HEADS, -1).transpose(1, 2))
            kv.append(layer.v(mem).view(b, m, CAP_HEADS, -1).transpose(1, 2))
        kv.append(self.pointer_k(mem).view(b, m, CAP_HEADS, -1).transpose(1, 2))
        return torch.stack(kv, 1)  # [B, 2L+1, H, M, d]

    def step_with_pointer(self, memory: torch.Tensor, token_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """step's outputs and the pointer's logits over the grid cells [B,T,GRID*GRID] (trained with a cell loss)."""
        b, t = token_ids.shape
        x = self.tok(token_ids) + self.pos[:t].unsqueeze(0)
        causal = torch.triu(torch.full((t, t), -1e4, dtype=x.dtype, device=x.device), 1)
        for i, layer in enumerate(self.layers):
            x = layer(x, memory[:, 2 * i], memory[:, 2 * i + 1], causal)
        x = self.out_norm(x)
        q = self.pointer_q(x).view(b, t, CAP_HEADS, -1).transpose(1, 2)  # [B,H,T,d]
        keys = memory[:, 2 * len(self.layers), :, 1:]  # the grid cells' keys (index 0 is the region token)
        cells = (q @ keys.transpose(-1, -2)).sum(1) / math.sqrt(q.shape[-1])  # [B,T,G*G]
        return self.word(x), self.pointed(cells), cells

    def pointed(self, cells: torch.Tensor) -> torch.Tensor:
        """The point of the pointer's logits [B,T,G*G]: the expected cell centre
        over the 3 x 3 cells around the most likely cell. The expectation over
        the whole grid lands between two objects when the pointer hesitates
        between them (on the shipped model's features: phrase -> point inside
        the object 0.55 with the whole grid, 0.77 with 3 x 3; teacher-forced
        point accuracy 0.59 against 0.72)."""
        centre = self.grid_xy[cells.argmax(-1)]  # [B,T,2]
        near = ((self.grid_xy.view(1, 1, -1, 2) - centre.unsqueeze(2)).abs() < 1.5 / GRID).all(-1)
        return torch.softmax(cells.masked_fill(~near, -1e4), -1) @ (self.grid_xy * INPUT_SIZE)

    def step(self, memory: torch.Tensor, token_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits, points, _ = self.step_with_pointer(memory, token_ids)
        return logits, points

    def forward(self, emb, region_box, has_region_box, token_ids):
        return self.step(self.context(emb, region_box, has_region_box), token_ids)
