import type { Command } from "commander";
import { CliError } from "../errors.js";

/** The command tree completion knows: each command's flags, and for verb groups each verb's flags. */
export interface CompletionTree {
  readonly [command: string]: {
    readonly flags: readonly string[];
    readonly verbs?: Readonly<Record<string, readonly string[]>>;
  };
}

const longFlags = (command: Command): string[] =>
  command.options.flatMap((o) => (o.long ? [o.long.replace(/^--/, "")] : [])).filter((f) => f !== "help");

/** The command tree of `program` as completion needs it, read from commander's own tree. */
export function completionTree(program: Command): CompletionTree {
  return Object.fromEntries(
    program.commands.map((command) => [
      command.name(),
      {
        flags: longFlags(command),
        ...(command.commands.length > 0
          ? { verbs: Object.fromEntries(command.commands.map((v) => [v.name(), longFlags(v)])) }
          : // An argument with fixed choices (`completion bash|zsh`) completes like verbs.
            command.registeredArguments[0]?.argChoices
            ? { verbs: Object.fromEntries(command.registeredArguments[0].argChoices.map((c) => [c, []])) }
            : {}),
      },
    ]),
  );
}

/**
 * `agora completion bash|zsh`: a completion script generated from the command tree, so it never
 * lags behind the commands. Bash: `source <(agora completion bash)`; zsh: `source <(agora
 * completion zsh)` (it uses bash's completion through `bashcompinit`).
 */
export function completionScript(shell: string, tree: CompletionTree): string {
  if (shell !== "bash" && shell !== "zsh")
    throw new CliError("USAGE", `agora completion: the shell must be bash or zsh, not '${shell}'`);
  const cases: string[] = [];
  for (const [command, spec] of Object.entries(tree)) {
    const flags = spec.flags.map((f) => `--${f}`).join(" ");
    if (spec.verbs) {
      const verbs = Object.keys(spec.verbs).join(" ");
      const verbCases = Object.entries(spec.verbs)
        .map(([v, vf]) => `        ${v}) words_="${vf.map((f) => `--${f}`).join(" ")}" ;;`)
        .join("\n");
      cases.push(`    ${command})
      if [ "$COMP_CWORD" -eq 2 ]; then
        words_="${verbs}${flags ? ` ${flags}` : ""}"
      else
        case "\${COMP_WORDS[2]}" in
${verbCases}
        *) words_="${flags}" ;;
        esac
      fi ;;`);
    } else {
      cases.push(`    ${command}) words_="${flags}" ;;`);
    }
  }
  const body = `# agora completion for ${shell}; load with: source <(agora completion ${shell})
_agora() {
  local cur words_
  cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${Object.keys(tree).join(" ")} --help --version" -- "$cur") )
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
    *) words_="" ;;
  esac
  case "$cur" in
    -*) COMPREPLY=( $(compgen -W "$words_" -- "$cur") ) ;;
    *) if [ -n "$words_" ] && [ "$COMP_CWORD" -eq 2 ]; then COMPREPLY=( $(compgen -W "$words_" -- "$cur") ); else COMPREPLY=( $(compgen -f -- "$cur") ); fi ;;
  esac
}
`;
  const register =
    shell === "zsh"
      ? "autoload -U +X bashcompinit && bashcompinit\ncomplete -o default -F _agora agora\n"
      : "complete -o default -F _agora agora\n";
  return body + register;
}
