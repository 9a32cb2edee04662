// Package tools holds the build and test tools of Gatehouse's deployment artefacts,
// kept out of the main module's go.mod: the OCI image builder (imagebuild), the SBOM
// writer (sbom), and the Helm chart checks (chartcheck), plus Helm itself as a tool
// dependency.
package tools
