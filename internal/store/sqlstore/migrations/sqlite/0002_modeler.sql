-- Web Modeler schema: projects, folders, files (metadata apart from content),
-- file versions (milestones) and collaborators. Every table carries org, the
-- organization UUID every query is scoped by. Times are INTEGER unix
-- milliseconds (UTC). Files keep their simple and canonical paths materialized
-- so that searches can filter on them; the store rewrites them on renames and
-- moves. Indexes lead with org and serve the filters and sorts of the searches.

CREATE TABLE modeler_projects (
	id TEXT PRIMARY KEY,
	org TEXT NOT NULL,
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	created_by_name TEXT NOT NULL,
	created_by_email TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by_name TEXT NOT NULL,
	updated_by_email TEXT NOT NULL
) STRICT;
CREATE INDEX modeler_projects_org_name ON modeler_projects (org, name, id);
CREATE INDEX modeler_projects_org_updated ON modeler_projects (org, updated_at, id);

CREATE TABLE modeler_folders (
	id TEXT PRIMARY KEY,
	org TEXT NOT NULL,
	project_id TEXT NOT NULL REFERENCES modeler_projects (id),
	parent_id TEXT REFERENCES modeler_folders (id),
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	created_by_name TEXT NOT NULL,
	created_by_email TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by_name TEXT NOT NULL,
	updated_by_email TEXT NOT NULL
) STRICT;
CREATE INDEX modeler_folders_project ON modeler_folders (project_id, parent_id, name);
CREATE INDEX modeler_folders_parent ON modeler_folders (parent_id);

CREATE TABLE modeler_files (
	id TEXT PRIMARY KEY,
	org TEXT NOT NULL,
	project_id TEXT NOT NULL REFERENCES modeler_projects (id),
	folder_id TEXT REFERENCES modeler_folders (id),
	name TEXT NOT NULL,
	type TEXT NOT NULL,
	revision INTEGER NOT NULL,
	simple_path TEXT NOT NULL,
	canonical_path TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	created_by_name TEXT NOT NULL,
	created_by_email TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by_name TEXT NOT NULL,
	updated_by_email TEXT NOT NULL
) STRICT;
CREATE INDEX modeler_files_org_name ON modeler_files (org, name, id);
CREATE INDEX modeler_files_org_updated ON modeler_files (org, updated_at, id);
CREATE INDEX modeler_files_org_created ON modeler_files (org, created_at, id);
CREATE INDEX modeler_files_org_type ON modeler_files (org, type, name, id);
CREATE INDEX modeler_files_org_creator ON modeler_files (org, created_by_name, created_at);
CREATE INDEX modeler_files_org_path ON modeler_files (org, simple_path);
CREATE INDEX modeler_files_project ON modeler_files (project_id, folder_id, name, id);
CREATE INDEX modeler_files_project_updated ON modeler_files (project_id, updated_at, id);
CREATE INDEX modeler_files_project_type ON modeler_files (project_id, type, updated_at, id);
CREATE INDEX modeler_files_folder ON modeler_files (folder_id, name, id);

-- Content apart, so that searches read small metadata rows only.
CREATE TABLE modeler_file_contents (
	file_id TEXT PRIMARY KEY REFERENCES modeler_files (id) ON DELETE CASCADE,
	content TEXT NOT NULL
) STRICT;

CREATE TABLE modeler_versions (
	id TEXT PRIMARY KEY,
	org TEXT NOT NULL,
	file_id TEXT NOT NULL REFERENCES modeler_files (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	organization_public INTEGER NOT NULL,
	file_revision INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	created_by_name TEXT NOT NULL,
	created_by_email TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by_name TEXT NOT NULL,
	updated_by_email TEXT NOT NULL,
	content TEXT NOT NULL
) STRICT;
CREATE INDEX modeler_versions_file ON modeler_versions (file_id, created_at, id);
CREATE INDEX modeler_versions_org_created ON modeler_versions (org, created_at, id);

CREATE TABLE modeler_collaborators (
	org TEXT NOT NULL,
	project_id TEXT NOT NULL REFERENCES modeler_projects (id) ON DELETE CASCADE,
	email TEXT NOT NULL,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (project_id, email)
) STRICT;
CREATE INDEX modeler_collaborators_org ON modeler_collaborators (org, email);
