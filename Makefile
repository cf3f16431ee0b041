# `sam build` builds the function with this file (template.yaml: `BuildMethod: makefile`), in a copy of the project,
# with the same `npm run build` that `npm test` builds and tests; test/integration/bundle.test.ts ships the bundle
# it tests with `make ship`.

# The function: the handler, the lookups file it loads beside it, and their source maps (not read at run time;
# see README, "Speed and size").
ARTIFACT_FILES = dist/handler.js dist/handler.js.map dist/lookup.js dist/lookup.js.map

.PHONY: build-MacroFunction ship

build-MacroFunction:
	npm ci --no-audit --no-fund
	npm run build
	$(MAKE) ship

ship:
	cp $(ARTIFACT_FILES) "$(ARTIFACTS_DIR)"
