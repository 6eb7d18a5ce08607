"""Maps the design card's top-level folders into one `gymkit` namespace.

`envs/`, `verifiers/`, `trainers/` and `sandbox/` import as `gymkit.envs`, ... and nothing
installs a bare top-level `envs`, `verifiers` or `sandbox` module (a `verifiers` package
already exists in this field). `configs/` ships as `gymkit.configs` (training presets, read
through importlib.resources). pyproject.toml cannot express a per-folder mapping plus
recursive discovery, hence this file.
"""
from setuptools import find_namespace_packages, setup

ROOTS = {"gymkit": "gymkit", "gymkit.envs": "envs", "gymkit.verifiers": "verifiers",
         "gymkit.trainers": "trainers", "gymkit.sandbox": "sandbox", "gymkit.configs": "configs"}
# Data files the code reads at run time: each env's data/ folder (examples, prompt pools),
# word lists, READMEs, the presets and their stored architectures (configs/arch/). Data
# folders are listed as (namespace) packages, which is how setuptools ships their files.
DATA = ["*.jsonl", "*.json", "*.txt", "*.md", "*.yaml", "*.sql", "*.sh"]

packages, package_dir = [], {}
for pkg, folder in ROOTS.items():
    package_dir[pkg] = folder
    packages.append(pkg)
    subs = find_namespace_packages(folder, exclude=["*__pycache__*"])
    packages += [f"{pkg}.{sub}" for sub in subs]

setup(packages=packages, package_dir=package_dir,
      package_data={"": DATA},
      include_package_data=True)
