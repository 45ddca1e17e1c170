"""A real Docker engine for the container tests, and stand-ins for registry images.

CI and development machines reach PyPI and Debian's mirror but no container registry. These
modules start a private ``dockerd`` when none answers (`engine`), and make every image the
Dockerfile and docker-compose.yml name available (`images`): the real one when it can be
pulled, else a stand-in built from Debian packages and tagged with the real name, so the same
files serve both worlds. ``python -m local.containers -- COMMAND`` wraps a command in both.
"""
