import type { Keyword, SectionKind } from "../keyword.js";

/** Keywords every resource section has (OpenSVC's generic resource keywords). */
export function resourceKeywords(section: SectionKind): Keyword[] {
  return [
    { section, option: "disable", converter: "bool", default: "false", scopable: true, text: "A disabled resource is ignored: a disabled task is not run (the run says so and succeeds) and never scheduled; its status is n/a.", example: "true" },
    { section, option: "optional", converter: "bool", default: "false", scopable: true, text: "A failure of an optional resource is reported as a warning and does not make the action fail. Tasks default to false: a failed task makes `run` exit 1.", example: "true" },
    { section, option: "standby", converter: "bool", default: "false", scopable: true, text: "A standby resource reports `stdby up`/`stdby down` instead of `up`/`down` and does not count in the instance state.", example: "true" },
    { section, option: "tags", converter: "list", default: "", scopable: true, text: "Whitespace-separated tags, used by `run --tags` (`,` is OR, `+` is AND).", example: "backup nightly" },
    { section, option: "subset", converter: "string", scopable: true, text: "Subset this resource belongs to (`task:<subset>` in print status), selected by `run --subsets`.", example: "maintenance" },
    { section, option: "comment", converter: "string", scopable: false, text: "Free text for humans." },
  ];
}
