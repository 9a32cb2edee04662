package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// completion prints a shell completion script. The scripts are built from the same
// command and verb tables as the usage text, so a new verb completes without editing
// them. They complete commands and verbs; past those, the shell's file names (an
// import file, a --config path).
func completion(args []string, stdout, stderr io.Writer) error {
	const use = "usage: gatehouse completion bash|zsh|fish"
	if len(args) != 1 {
		return usagef("%s", use)
	}
	if isHelp(args[0]) {
		fmt.Fprintln(stdout, use+"\n\nPrints a completion script; e.g. `source <(gatehouse completion bash)`, "+
			"`gatehouse completion zsh > \"${fpath[1]}/_gatehouse\"`, `gatehouse completion fish | source`.")
		return errHelp
	}
	switch args[0] {
	case "bash":
		return writeBash(stdout)
	case "zsh":
		return writeZsh(stdout)
	case "fish":
		return writeFish(stdout)
	}
	return usagef("unknown shell %q: %s", args[0], use)
}

// topCommands are the first words gatehouse accepts.
func topCommands() []string {
	cmds := []string{"serve", "token", "keys", "import", "version", "completion", "help"}
	for name := range groups {
		cmds = append(cmds, name)
	}
	slices.Sort(cmds)
	return cmds
}

// subCommands maps a command to its second words.
func subCommands() map[string][]string {
	m := map[string][]string{
		"keys":       verbNames(keysGroup),
		"import":     {"keycloak"},
		"completion": {"bash", "zsh", "fish"},
	}
	for name, g := range groups {
		m[name] = verbNames(g)
	}
	return m
}

func verbNames(g *group) []string {
	var out []string
	for _, v := range g.verbs {
		out = append(out, v.name)
	}
	return out
}

func sortedKeys(m map[string][]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func writeBash(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# bash completion for gatehouse; load with: source <(gatehouse completion bash)\n")
	b.WriteString("_gatehouse() {\n  local cur=${COMP_WORDS[COMP_CWORD]}\n")
	fmt.Fprintf(&b, "  if [[ $COMP_CWORD -eq 1 ]]; then\n    COMPREPLY=($(compgen -W %q -- \"$cur\"))\n    return\n  fi\n",
		strings.Join(topCommands(), " "))
	b.WriteString("  if [[ $COMP_CWORD -eq 2 ]]; then\n    case ${COMP_WORDS[1]} in\n")
	subs := subCommands()
	for _, k := range sortedKeys(subs) {
		fmt.Fprintf(&b, "      %s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", k, strings.Join(subs[k], " "))
	}
	b.WriteString("    esac\n  fi\n  COMPREPLY=($(compgen -f -- \"$cur\"))\n}\ncomplete -F _gatehouse gatehouse\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeZsh(w io.Writer) error {
	var b strings.Builder
	b.WriteString("#compdef gatehouse\n# zsh completion for gatehouse; install with: gatehouse completion zsh > \"${fpath[1]}/_gatehouse\"\n")
	b.WriteString("_gatehouse() {\n  if (( CURRENT == 2 )); then\n")
	fmt.Fprintf(&b, "    compadd -- %s\n    return\n  fi\n", strings.Join(topCommands(), " "))
	b.WriteString("  if (( CURRENT == 3 )); then\n    case ${words[2]} in\n")
	subs := subCommands()
	for _, k := range sortedKeys(subs) {
		fmt.Fprintf(&b, "      %s) compadd -- %s; return ;;\n", k, strings.Join(subs[k], " "))
	}
	b.WriteString("    esac\n  fi\n  _files\n}\ncompdef _gatehouse gatehouse\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFish(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# fish completion for gatehouse; load with: gatehouse completion fish | source\n")
	b.WriteString("complete -c gatehouse -f\n")
	fmt.Fprintf(&b, "complete -c gatehouse -n __fish_use_subcommand -a %q\n", strings.Join(topCommands(), " "))
	subs := subCommands()
	for _, k := range sortedKeys(subs) {
		fmt.Fprintf(&b, "complete -c gatehouse -n '__fish_seen_subcommand_from %s; and test (count (commandline -opc)) -eq 2' -a %q\n",
			k, strings.Join(subs[k], " "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
