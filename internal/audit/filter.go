package audit

import "strings"

// Excluded is the action an audit listing leaves out unless asked: token.issue, when
// include is not set and the action filter does not select it ("token.issue" or the
// prefix "token."). The trail holds one token.issue per token issued, which buries
// every change under them.
func Excluded(actionFilter string, include bool) string {
	if include || actionFilter == ActionTokenIssue || (strings.HasSuffix(actionFilter, ".") && strings.HasPrefix(ActionTokenIssue, actionFilter)) {
		return ""
	}
	return ActionTokenIssue
}
