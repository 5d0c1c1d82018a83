"""distance_transform_edt and connected-component label with scipy when it
is installed (Debian here: the figures and assets were made with it), and
with OpenCV otherwise (the GPU machine has OpenCV but no scipy). Both give the
exact Euclidean distance to the nearest False pixel, and 4-connected
components (scipy.ndimage.label's default structure)."""
from __future__ import annotations

import numpy as np

try:
    from scipy.ndimage import distance_transform_edt as _scipy_edt
    from scipy.ndimage import label as _scipy_label
except ImportError:  # pragma: no cover - exercised on machines without scipy
    _scipy_edt = None
    _scipy_label = None


def distance_transform_edt(mask: np.ndarray) -> np.ndarray:
    if _scipy_edt is not None:
        return _scipy_edt(mask)
    import cv2

    return cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE).astype(np.float64)


def label(mask: np.ndarray) -> tuple[np.ndarray, int]:
    if _scipy_label is not None:
        return _scipy_label(mask)
    import cv2

    n, comp = cv2.connectedComponents(mask.astype(np.uint8), connectivity=4)
    return comp, n - 1
