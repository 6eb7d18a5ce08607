"""Maps the design card's top-level folders into one `gymkit` namespace.

`envs/`, `verifiers/`, `trainers/` and `sandbox/` import as `gymkit.envs`, ... and nothing
installs a bare top-level `envs`, `verifiers` or `sandbox` module (a `verifiers` package
already exists in this field). pyproject.toml cannot express a per-folder mapping plus
recursive discovery, hence this file.
"""
from setuptools import find_packages, setup

ROOTS = {"gymkit": "gymkit", "gymkit.envs": "envs", "gymkit.verifiers": "verifiers",
         "gymkit.trainers": "trainers", "gymkit.sandbox": "sandbox"}

packages, package_dir = [], {}
for pkg, folder in ROOTS.items():
    package_dir[pkg] = folder
    packages.append(pkg)
    packages += [f"{pkg}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=package_dir,
      package_data={"": ["*.jsonl", "*.json", "*.txt", "*.md", "*.yaml", "*.sql", "*.sh"]},
      include_package_data=True)
