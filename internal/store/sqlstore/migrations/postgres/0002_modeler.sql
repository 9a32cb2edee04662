-- PostgreSQL twin of the SQLite file: same tables, columns and indexes; text that is
-- ordered or compared uses COLLATE "C", the byte order SQLite uses.
--
-- Web Modeler schema: projects, folders, files (metadata apart from content),
-- file versions (milestones) and collaborators. Every table carries org, the
-- organization UUID every query is scoped by. Times are BIGINT unix
-- milliseconds (UTC). Files keep their simple and canonical paths materialized
-- so that searches can filter on them; the store rewrites them on renames and
-- moves. Indexes lead with org and serve the filters and sorts of the searches.

CREATE TABLE modeler_projects (
	id TEXT COLLATE "C" PRIMARY KEY,
	org TEXT COLLATE "C" NOT NULL,
	name TEXT COLLATE "C" NOT NULL,
	created_at BIGINT NOT NULL,
	created_by_name TEXT COLLATE "C" NOT NULL,
	created_by_email TEXT COLLATE "C" NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by_name TEXT COLLATE "C" NOT NULL,
	updated_by_email TEXT COLLATE "C" NOT NULL
);
CREATE INDEX modeler_projects_org_name ON modeler_projects (org, name, id);
CREATE INDEX modeler_projects_org_updated ON modeler_projects (org, updated_at, id);

CREATE TABLE modeler_folders (
	id TEXT COLLATE "C" PRIMARY KEY,
	org TEXT COLLATE "C" NOT NULL,
	project_id TEXT COLLATE "C" NOT NULL REFERENCES modeler_projects (id),
	parent_id TEXT COLLATE "C" REFERENCES modeler_folders (id),
	name TEXT COLLATE "C" NOT NULL,
	created_at BIGINT NOT NULL,
	created_by_name TEXT COLLATE "C" NOT NULL,
	created_by_email TEXT COLLATE "C" NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by_name TEXT COLLATE "C" NOT NULL,
	updated_by_email TEXT COLLATE "C" NOT NULL
);
CREATE INDEX modeler_folders_project ON modeler_folders (project_id, parent_id, name);
CREATE INDEX modeler_folders_parent ON modeler_folders (parent_id);

CREATE TABLE modeler_files (
	id TEXT COLLATE "C" PRIMARY KEY,
	org TEXT COLLATE "C" NOT NULL,
	project_id TEXT COLLATE "C" NOT NULL REFERENCES modeler_projects (id),
	folder_id TEXT COLLATE "C" REFERENCES modeler_folders (id),
	name TEXT COLLATE "C" NOT NULL,
	type TEXT COLLATE "C" NOT NULL,
	revision BIGINT NOT NULL,
	simple_path TEXT COLLATE "C" NOT NULL,
	canonical_path TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	created_by_name TEXT COLLATE "C" NOT NULL,
	created_by_email TEXT COLLATE "C" NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by_name TEXT COLLATE "C" NOT NULL,
	updated_by_email TEXT COLLATE "C" NOT NULL
);
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
	file_id TEXT COLLATE "C" PRIMARY KEY REFERENCES modeler_files (id) ON DELETE CASCADE,
	content TEXT NOT NULL
);

CREATE TABLE modeler_versions (
	id TEXT COLLATE "C" PRIMARY KEY,
	org TEXT COLLATE "C" NOT NULL,
	file_id TEXT COLLATE "C" NOT NULL REFERENCES modeler_files (id) ON DELETE CASCADE,
	name TEXT COLLATE "C" NOT NULL,
	description TEXT COLLATE "C" NOT NULL,
	organization_public BOOLEAN NOT NULL,
	file_revision BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	created_by_name TEXT COLLATE "C" NOT NULL,
	created_by_email TEXT COLLATE "C" NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by_name TEXT COLLATE "C" NOT NULL,
	updated_by_email TEXT COLLATE "C" NOT NULL,
	content TEXT NOT NULL
);
CREATE INDEX modeler_versions_file ON modeler_versions (file_id, created_at, id);
CREATE INDEX modeler_versions_org_created ON modeler_versions (org, created_at, id);

CREATE TABLE modeler_collaborators (
	org TEXT COLLATE "C" NOT NULL,
	project_id TEXT COLLATE "C" NOT NULL REFERENCES modeler_projects (id) ON DELETE CASCADE,
	email TEXT COLLATE "C" NOT NULL,
	name TEXT COLLATE "C" NOT NULL,
	role TEXT COLLATE "C" NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (project_id, email)
);
CREATE INDEX modeler_collaborators_org ON modeler_collaborators (org, email);
