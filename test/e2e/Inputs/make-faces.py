"""Writes 112x112 RGB face crops of skimage's astronaut picture as PNG.

  make-faces.py OUT_DIR

OUT_DIR/eval/{a,b}.png are two views of the face for evaluation (a: the
centred crop; b: shifted, mirrored and darker); OUT_DIR/calib/*.png are 8
other crops, flips and brightness changes for calibration. The face is at
about (x 225, y 108) with a side of about 124 pixels (shared/models/README).
Needs Debian's python3-skimage (the picture) and python3-pil; run it with
/usr/bin/python3.
"""
import os
import sys

import numpy as np
from PIL import Image
from skimage import data


def crop(picture, cx, cy, side, flip=False, gain=1.0):
    half = side // 2
    box = picture[cy - half:cy - half + side, cx - half:cx - half + side]
    image = Image.fromarray(box).resize((112, 112), Image.BILINEAR)
    if flip:
        image = image.transpose(Image.FLIP_LEFT_RIGHT)
    pixels = np.asarray(image).astype(np.float32) * gain
    return Image.fromarray(np.clip(pixels, 0, 255).round().astype(np.uint8))


def main():
    out = sys.argv[1]
    picture = data.astronaut()
    os.makedirs(os.path.join(out, "eval"), exist_ok=True)
    os.makedirs(os.path.join(out, "calib"), exist_ok=True)
    crop(picture, 225, 108, 124).save(os.path.join(out, "eval", "a.png"))
    crop(picture, 229, 104, 120, flip=True, gain=0.85).save(
        os.path.join(out, "eval", "b.png"))
    views = [(217, 108, 124, False, 1.0), (233, 112, 128, False, 1.1),
             (225, 100, 116, True, 0.9), (221, 116, 132, True, 1.0),
             (225, 108, 140, False, 0.8), (229, 108, 110, True, 1.2),
             (213, 104, 124, False, 1.0), (237, 112, 124, True, 0.95)]
    for i, (cx, cy, side, flip, gain) in enumerate(views):
        crop(picture, cx, cy, side, flip, gain).save(
            os.path.join(out, "calib", "%02d.png" % i))


if __name__ == "__main__":
    main()
