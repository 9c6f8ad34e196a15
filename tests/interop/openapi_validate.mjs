// Validates OpenAPI documents with an independent validator: @seriousme/openapi-schema-validator
// (the official OpenAPI 3.x JSON Schemas, tested on 2,000+ public APIs), then resolves every
// $ref and checks two rules a schema cannot express (OpenAPI 3.1 §4.8.10 and §4.8.12.1):
// operationIds are unique, and every {template} in a path is a required path parameter.
//   node openapi_validate.mjs FILE...   prints one JSON line per file: {file, valid, version, errors}
import { Validator } from "@seriousme/openapi-schema-validator";

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function semanticErrors(spec) {
  const errors = [];
  const operationIds = new Map();
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    const templates = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const method of methods) {
      const operation = item[method];
      if (!operation) continue;
      if (operation.operationId !== undefined) {
        const seen = operationIds.get(operation.operationId);
        if (seen) errors.push(`operationId ${operation.operationId} of ${method} ${path} repeats ${seen}`);
        operationIds.set(operation.operationId, `${method} ${path}`);
      }
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
      for (const name of templates) {
        const declared = parameters.find((p) => p.in === "path" && p.name === name);
        if (!declared) errors.push(`${method} ${path}: no path parameter for {${name}}`);
        else if (declared.required !== true) errors.push(`${method} ${path}: path parameter ${name} is not required`);
      }
    }
  }
  return errors;
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const validator = new Validator();
  const result = await validator.validate(file);
  const out = { file, valid: result.valid, version: validator.version, errors: result.errors ?? [] };
  if (result.valid) {
    try {
      validator.resolveRefs();  // throws on a $ref that points nowhere
      out.errors = semanticErrors(validator.specification);
    } catch (error) {
      out.errors = [`$ref: ${error.message}`];
    }
    out.valid = out.errors.length === 0;
  }
  failed ||= !out.valid;
  console.log(JSON.stringify(out));
}
process.exit(failed ? 1 : 0);
