// Media types the API reads besides JSON: playbooks are YAML, so an upload may send the file itself.
export const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml"];
