// Package modeler owns the rules of the Web Modeler API v1 (camunda-apis.md §4) apart
// from HTTP: validation of names, ids, file types, roles and content (BPMN/DMN must
// be well-formed XML without a DTD, forms and connector templates JSON objects);
// placement of files and folders (folderId/parentId, projectId or both, consistent);
// optimistic locking of files by revision; connector template rewriting ($schema,
// id, name, version); version history (milestones and versions); and the search
// request parser that turns filter/sort/page/size into a typed store query built
// from allow-lists only.
//
// Errors are *Error values carrying a Kind and the fixed text the API sends as the
// ProblemDetail "detail"; store sentinels pass through unchanged.
package modeler
