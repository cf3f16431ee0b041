import { MACRO_NAME } from '../template/transformField.js';

/** The command line's commands and options: the one table that help, argument checks and a README test read. */

export const PROGRAM = 'composex-dynamodb';

type OptionName = 'format' | 'lookups' | 'aws' | 'region' | 'account' | 'parameter' | 'macro-name';

interface Command {
  /** What follows the command name. */
  readonly operands: string;
  readonly summary: string;
  /** More lines for `help COMMAND`. */
  readonly details: string;
  /** The values `--format` takes, the first being the default; none when the command takes no `--format`. */
  readonly formats: readonly string[];
  readonly formatHelp?: string;
  readonly options: readonly OptionName[];
  /** Whether the command takes several templates. */
  readonly many: boolean;
}

const COMMON: readonly OptionName[] = ['region', 'account', 'parameter', 'macro-name'];

export const COMMANDS = {
  validate: {
    operands: 'TEMPLATE...',
    summary: 'check templates without calling AWS (looked-up tables are stand-ins, or --lookups)',
    details:
      'Checks each template and prints every problem as FILE:LINE:COL: path: message [CODE]. A template\n' +
      `that does not name ${MACRO_NAME} in Transform is skipped with a note, so every YAML and JSON file\n` +
      'of a repository can be passed.',
    formats: ['text', 'json', 'sarif'],
    formatHelp: 'report format (default text; sarif for code scanning)',
    options: ['format', 'lookups', ...COMMON],
    many: true,
  },
  expand: {
    operands: 'TEMPLATE',
    summary: 'print the template as CloudFormation gets it back from the macro',
    details:
      `Removes only ${MACRO_NAME} from Transform, so the output can go to the SAM translator or cfn-lint.\n` +
      'Problems go to stderr. Lookups call AWS (the normal credential chain, AWS_ENDPOINT_URL) unless\n' +
      '--lookups answers them.',
    formats: ['yaml', 'json'],
    formatHelp: "output format (default: the template's own)",
    options: ['format', 'lookups', ...COMMON],
    many: false,
  },
  explain: {
    operands: 'TEMPLATE',
    summary: 'say which tables are created or looked up, and who gets which access and variables',
    details:
      'Looked-up tables are stand-ins, as for validate, unless --lookups answers them or --aws looks them up\n' +
      '(the normal credential chain, AWS_ENDPOINT_URL).',
    formats: [],
    options: ['lookups', 'aws', ...COMMON],
    many: false,
  },
  event: {
    operands: 'TEMPLATE',
    summary: 'print a macro request event for the template (for sam local invoke -e)',
    details:
      'Prints, as JSON (what sam local invoke -e reads), the request CloudFormation would send the macro;\n' +
      'nothing is checked. Parameters without --parameter take their Default, as CloudFormation sends them.',
    formats: ['json'],
    formatHelp: 'output format: always json',
    options: ['format', ...COMMON],
    many: false,
  },
  migrate: {
    operands: 'COMPOSE_FILE...',
    summary: 'print a template to start from, made from an ECS ComposeX docker-compose file with x-dynamodb',
    details:
      'Each task family becomes a task definition with its own task role; x-dynamodb is carried over with\n' +
      'its targets as those logical IDs. Comments marked DECIDE say what a person must settle; what was left\n' +
      'out is listed on stderr. Several files are read as one, as ecs-compose-x -f reads them.',
    formats: [],
    options: [],
    many: true,
  },
} as const satisfies Record<string, Command>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

const OPTION_HELP: Record<Exclude<OptionName, 'format'>, readonly [string, string]> = {
  lookups: ['--lookups FILE', 'answer lookups from a JSON fixture instead of AWS'],
  region: ['--region REGION', 'region of the stack (default: AWS_REGION, AWS_DEFAULT_REGION or us-east-1)'],
  aws: ['--aws', 'look tables up in AWS instead of making stand-ins'],
  account: [
    '--account ACCOUNT',
    'account ID of the stack, to tell roles of other accounts (CloudFormation sends it)',
  ],
  parameter: ['--parameter KEY=VALUE', "a template parameter's value (repeatable; default: its Default)"],
  'macro-name': ['--macro-name NAME', `the macro's registered name (default: ${MACRO_NAME})`],
};

const EXIT_CODES = `exit codes:
  0  no problems (or every template skipped)
  1  problems found in a template
  2  wrong usage: unknown command or option, bad option value, a file that cannot be read`;

function optionLines(command: Command): string[] {
  const rows: (readonly [string, string])[] = command.options.map((name) =>
    name === 'format'
      ? [`--format ${command.formats.join('|')}`, command.formatHelp ?? '']
      : OPTION_HELP[name],
  );
  rows.push(['-h, --help', 'this text']);
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`);
}

/** `composex-dynamodb help`: every command, and where to read more. */
export function generalHelp(): string {
  const commands = Object.entries(COMMANDS).map(
    ([name, c]) => `  ${`${name} ${c.operands}`.padEnd(22)}${c.summary}`,
  );
  return `usage: ${PROGRAM} <command> [options] TEMPLATE...

commands:
${commands.join('\n')}
  ${'help [COMMAND]'.padEnd(22)}this text, or a command's options

TEMPLATE is a YAML or JSON file, or - for standard input.
Run \`${PROGRAM} help COMMAND\` (or COMMAND --help) for a command's options.

${EXIT_CODES}
`;
}

/** `composex-dynamodb help COMMAND` and `COMMAND --help`. */
export function commandHelp(name: CommandName): string {
  const command: Command = COMMANDS[name];
  return `usage: ${PROGRAM} ${name} [options] ${command.operands}

${command.summary}.
${command.details}

options:
${optionLines(command).join('\n')}

${EXIT_CODES}
`;
}
