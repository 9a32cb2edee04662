{{/* Names and labels. */}}
{{- define "gatehouse.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gatehouse.labels" -}}
{{ include "gatehouse.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The database mode, checked: sqlite or postgresql. */}}
{{- define "gatehouse.mode" -}}
{{- $m := .Values.database.mode -}}
{{- if not (has $m (list "sqlite" "postgresql")) -}}
{{- fail (printf "database.mode must be sqlite or postgresql, not %q" $m) -}}
{{- end -}}
{{- if and (eq $m "postgresql") (not .Values.database.postgresql.existingSecret) -}}
{{- fail "database.mode postgresql needs database.postgresql.existingSecret: a Secret with the PostgreSQL URL" -}}
{{- end -}}
{{- if and (eq $m "postgresql") (not .Values.masterKey.existingSecret) -}}
{{- fail "database.mode postgresql needs masterKey.existingSecret: every replica must share one master key" -}}
{{- end -}}
{{- $m -}}
{{- end -}}

{{- define "gatehouse.replicas" -}}
{{- if eq (include "gatehouse.mode" .) "sqlite" -}}1{{- else -}}{{ .Values.replicaCount }}{{- end -}}
{{- end -}}

{{/* The listeners that are on, as name: port. */}}
{{- define "gatehouse.listeners" -}}
{{- range $name, $port := .Values.listeners }}
{{- if $port }}
{{ $name }}: {{ $port }}
{{- end }}
{{- end }}
{{- end -}}

{{/* One declared application as KEYCLOAK_CLIENTS_<i>_* variables. Arguments: index, client, secret name, secret key. */}}
{{- define "gatehouse.clientEnv" -}}
{{- $p := printf "KEYCLOAK_CLIENTS_%d_" (int .i) -}}
- name: {{ $p }}NAME
  value: {{ .c.name | default .c.id | quote }}
- name: {{ $p }}ID
  value: {{ .c.id | quote }}
- name: {{ $p }}TYPE
  value: {{ .c.type | default "M2M" | quote }}
- name: {{ $p }}SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .secret | quote }}
      key: {{ .key | quote }}
{{- range $j, $perm := .c.permissions }}
- name: {{ printf "%sPERMISSIONS_%d_RESOURCE_SERVER_ID" $p $j }}
  value: {{ $perm.resourceServerId | quote }}
- name: {{ printf "%sPERMISSIONS_%d_DEFINITION" $p $j }}
  value: {{ $perm.definition | quote }}
{{- end }}
{{- end -}}
