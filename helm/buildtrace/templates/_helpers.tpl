{{/* Labels shared by every BuildTrace object of the release. */}}
{{- define "buildtrace.labels" -}}
app.kubernetes.io/name: buildtrace
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "buildtrace.portalSelector" -}}
app.kubernetes.io/name: buildtrace
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: portal
{{- end }}

{{- define "buildtrace.image" -}}
{{ printf "%s:%s" .Values.image.repository .Values.image.tag }}
{{- end }}

{{/* gs://bucket/prefix, the storage URL every pod reads from BUILDTRACE_STORAGE_URL. */}}
{{- define "buildtrace.storageUrl" -}}
{{- $bucket := required "storage.bucket is required" .Values.storage.bucket -}}
{{- if .Values.storage.prefix -}}
{{ printf "gs://%s/%s" $bucket (trimAll "/" .Values.storage.prefix) }}
{{- else -}}
{{ printf "gs://%s" $bucket }}
{{- end -}}
{{- end }}

{{/* Pod annotations of the common `kubernetes-pods` scrape job: Prometheus reads /metrics on this port. */}}
{{- define "buildtrace.scrapeAnnotations" -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
