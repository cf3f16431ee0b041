/**
 * What the macro and the CLI accept, far beyond any real template and well within a Lambda request (6 MB) and a
 * 256 MB function: past these, a clear problem instead of minutes of work or a crash. README "What a failure looks
 * like" lists them; a test keeps the two equal.
 */
export const LIMITS = {
  /** Nesting of mappings and lists, counted from the template's top level. */
  depth: 128,
  /** Values in the template (every mapping, list and scalar), once YAML aliases are expanded. */
  values: 1_000_000,
  /**
   * Items of a YAML file the command line reads (scalars, aliases, collections, and the `-`, `?`, `:`, `,` before
   * items), counted before it is parsed: the `yaml` library's syntax tree of a file of one-character items takes
   * about a kilobyte and several microseconds per item.
   */
  yamlItems: 120_000,
  /** Items of one list inside x-dynamodb: DynamoDB's longest lists (attributes, tags) hold at most a hundred. */
  sectionListItems: 1_000,
  /** The largest template CloudFormation accepts: from S3. */
  templateBytes: 1_000_000,
  /** The largest template CloudFormation accepts inline in a request (TemplateBody). */
  inlineTemplateBytes: 51_200,
  /** Characters of one problem's path and message together; longer values and lists are cut with "and N more". */
  problem: 1_000,
  /** Characters of one problem's path (a path through long keys), within LIMITS.problem. */
  path: 500,
  /** Services entries of all tables together (grants): a real template has a few hundred. */
  grants: 10_000,
} as const;

/**
 * CloudFormation's quotas on a processed template ("Understand CloudFormation quotas"; "Troubleshoot the processed
 * template": 1 MB from S3, 51,200 bytes inline, and the macro cannot know which was used).
 */
export const QUOTAS = { resources: 500, outputs: 200, bytes: 1_000_000 } as const;
