package modelerapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/client"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/modeler"
	"github.com/gatehouse/gatehouse/internal/problem"
	"github.com/gatehouse/gatehouse/internal/store"
)

const v1 = "/api/v1"

func (h *Handler) routes() {
	h.handle("GET "+v1+"/info", "", h.info)

	h.handle("POST "+v1+"/projects", PermCreate, h.createProject)
	h.handle("GET "+v1+"/projects/{id}", PermRead, h.getProject)
	h.handle("PATCH "+v1+"/projects/{id}", PermUpdate, h.renameProject)
	h.handle("DELETE "+v1+"/projects/{id}", PermDelete, h.deleteProject)
	h.handle("POST "+v1+"/projects/search", PermRead, h.searchProjects)

	h.handle("PUT "+v1+"/collaborators", PermUpdate, h.putCollaborator)
	h.handle("POST "+v1+"/collaborators/search", PermRead, h.searchCollaborators)
	h.handle("DELETE "+v1+"/projects/{id}/collaborators/{email}", PermDelete, h.deleteCollaborator)

	h.handle("POST "+v1+"/folders", PermCreate, h.createFolder)
	h.handle("GET "+v1+"/folders/{id}", PermRead, h.getFolder)
	h.handle("PATCH "+v1+"/folders/{id}", PermUpdate, h.updateFolder)
	h.handle("DELETE "+v1+"/folders/{id}", PermDelete, h.deleteFolder)

	h.handle("POST "+v1+"/files", PermCreate, h.createFile)
	h.handle("GET "+v1+"/files/{id}", PermRead, h.getFile)
	h.handle("PATCH "+v1+"/files/{id}", PermUpdate, h.updateFile)
	h.handle("DELETE "+v1+"/files/{id}", PermDelete, h.deleteFile)
	h.handle("POST "+v1+"/files/search", PermRead, h.searchFiles)

	for _, kind := range []struct {
		path      string
		milestone bool
	}{{"/milestones", true}, {"/versions", false}} {
		m := kind.milestone
		h.handle("POST "+v1+kind.path, PermCreate, func(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
			return h.createVersion(w, r, a, m)
		})
		h.handle("GET "+v1+kind.path+"/{id}", PermRead, func(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
			return h.getVersion(w, r, a, m)
		})
		h.handle("PATCH "+v1+kind.path+"/{id}", PermUpdate, func(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
			return h.updateVersion(w, r, a, m)
		})
		h.handle("DELETE "+v1+kind.path+"/{id}", PermDelete, h.deleteVersion)
		h.handle("POST "+v1+kind.path+"/{id}/restore", PermCreate, func(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
			return h.restoreVersion(w, r, a, m)
		})
		h.handle("POST "+v1+kind.path+"/search", PermRead, func(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
			return h.searchVersions(w, r, a, m)
		})
		h.handle("GET "+v1+kind.path+"/compare/{pair}", PermRead, func(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
			return h.compareVersions(w, r, a, kind.path)
		})
	}

	h.mux.HandleFunc("GET "+v1+"/openapi.json", ServeOpenAPI)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, http.StatusNotFound, modeler.DetailNotFound)
	})
}

func (h *Handler) svc() *modeler.Service { return h.cfg.Service }

func (h *Handler) info(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	c, _ := bearer.ClaimsFrom(r.Context())
	aud := h.cfg.Audience
	return writeJSON(w, client.ModelerInfo{Version: "v1", AuthorizedOrganization: a.Org,
		CreatePermission: c.Has(aud, PermCreate), ReadPermission: c.Has(aud, PermRead),
		UpdatePermission: c.Has(aud, PermUpdate), DeletePermission: c.Has(aud, PermDelete)})
}

// --- projects ---

func (h *Handler) createProject(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	var in modeler.ProjectInput
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc().CreateProject(r.Context(), a, in)
	if err != nil {
		return err
	}
	return writeJSON(w, projectMeta(p))
}

func (h *Handler) getProject(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	p, folders, files, err := h.svc().GetProject(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, client.Project{Metadata: projectMeta(p), Content: content(folders, files)})
}

func (h *Handler) renameProject(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	var in modeler.ProjectInput
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc().RenameProject(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, projectMeta(p))
}

func (h *Handler) deleteProject(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	if err := h.svc().DeleteProject(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// parseSearch reads a PubSearchDto body.
func (h *Handler) parseSearch(w http.ResponseWriter, r *http.Request, kind modeler.SearchKind) (store.ModelerQuery, error) {
	b, err := h.readBody(w, r)
	if err != nil {
		return store.ModelerQuery{}, err
	}
	return modeler.ParseSearch(kind, b)
}

func (h *Handler) searchProjects(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	q, err := h.parseSearch(w, r, modeler.SearchProjects)
	if err != nil {
		return err
	}
	p, err := h.svc().SearchProjects(r.Context(), a, q)
	if err != nil {
		return err
	}
	return writeJSON(w, client.SearchResult[client.ProjectMetadata]{Items: mapSlice(p.Items, projectMeta), Total: p.Total})
}

// --- collaborators ---

func (h *Handler) putCollaborator(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	var in modeler.CollaboratorInput
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	if err := h.svc().PutCollaborator(r.Context(), a, in); err != nil {
		return err
	}
	return noContent(w)
}

func (h *Handler) searchCollaborators(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	q, err := h.parseSearch(w, r, modeler.SearchCollaborators)
	if err != nil {
		return err
	}
	p, err := h.svc().SearchCollaborators(r.Context(), a, q)
	if err != nil {
		return err
	}
	return writeJSON(w, client.SearchResult[client.Collaborator]{Items: mapSlice(p.Items, collaborator), Total: p.Total})
}

func (h *Handler) deleteCollaborator(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	if err := h.svc().DeleteCollaborator(r.Context(), a, r.PathValue("id"), r.PathValue("email")); err != nil {
		return err
	}
	return noContent(w)
}

// --- folders ---

type folderBody struct {
	Name      *string  `json:"name"`
	ProjectID *string  `json:"projectId"`
	ParentID  nullable `json:"parentId"`
}

func (b folderBody) input() modeler.FolderInput {
	return modeler.FolderInput{Name: b.Name, ProjectID: b.ProjectID, ParentID: b.ParentID.ptr()}
}

func (h *Handler) createFolder(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	var b folderBody
	if err := h.decode(w, r, &b); err != nil {
		return err
	}
	f, err := h.svc().CreateFolder(r.Context(), a, b.input())
	if err != nil {
		return err
	}
	return writeJSON(w, folderMeta(f))
}

func (h *Handler) getFolder(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	f, folders, files, err := h.svc().GetFolder(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, client.Folder{Metadata: folderMeta(f), Content: content(folders, files)})
}

func (h *Handler) updateFolder(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	var b folderBody
	if err := h.decode(w, r, &b); err != nil {
		return err
	}
	f, err := h.svc().UpdateFolder(r.Context(), a, r.PathValue("id"), b.input(), b.ParentID.null)
	if err != nil {
		return err
	}
	return writeJSON(w, folderMeta(f))
}

func (h *Handler) deleteFolder(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	if err := h.svc().DeleteFolder(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// --- files ---

func (h *Handler) createFile(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	var in modeler.CreateFileInput
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	f, err := h.svc().CreateFile(r.Context(), a, in)
	if err != nil {
		return err
	}
	return writeJSON(w, fileMeta(f))
}

func (h *Handler) getFile(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	f, err := h.svc().GetFile(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, client.File{Metadata: fileMeta(f), Content: f.Content})
}

type updateFileBody struct {
	Revision  *int64   `json:"revision"`
	Name      *string  `json:"name"`
	Content   *string  `json:"content"`
	ProjectID *string  `json:"projectId"`
	FolderID  nullable `json:"folderId"`
}

func (h *Handler) updateFile(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	var b updateFileBody
	if err := h.decode(w, r, &b); err != nil {
		return err
	}
	in := modeler.UpdateFileInput{Revision: b.Revision, Name: b.Name, Content: b.Content, ProjectID: b.ProjectID, FolderID: b.FolderID.ptr()}
	f, err := h.svc().UpdateFile(r.Context(), a, r.PathValue("id"), in, b.FolderID.null)
	if err != nil {
		return err
	}
	return writeJSON(w, fileMeta(f))
}

func (h *Handler) deleteFile(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	if err := h.svc().DeleteFile(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *Handler) searchFiles(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	q, err := h.parseSearch(w, r, modeler.SearchFiles)
	if err != nil {
		return err
	}
	p, err := h.svc().SearchFiles(r.Context(), a, q)
	if err != nil {
		return err
	}
	return writeJSON(w, client.SearchResult[client.FileMetadata]{Items: mapSlice(p.Items, fileMeta), Total: p.Total})
}

// --- milestones and versions ---

func versionOut(v store.FileVersion, milestone bool) any {
	if milestone {
		return milestoneMeta(v)
	}
	return versionMeta(v)
}

func (h *Handler) createVersion(w http.ResponseWriter, r *http.Request, a modeler.Actor, milestone bool) error {
	var in modeler.VersionInput
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	if milestone {
		in.Description, in.OrganizationPublic = nil, nil
	}
	v, err := h.svc().CreateVersion(r.Context(), a, in, milestone)
	if err != nil {
		return err
	}
	return writeJSON(w, versionOut(v, milestone))
}

func (h *Handler) getVersion(w http.ResponseWriter, r *http.Request, a modeler.Actor, milestone bool) error {
	v, err := h.svc().GetVersion(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	if milestone {
		return writeJSON(w, client.Milestone{Metadata: milestoneMeta(v), Content: v.Content})
	}
	return writeJSON(w, client.FileVersion{Metadata: versionMeta(v), Content: v.Content})
}

func (h *Handler) updateVersion(w http.ResponseWriter, r *http.Request, a modeler.Actor, milestone bool) error {
	var in modeler.VersionInput
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.svc().UpdateVersion(r.Context(), a, r.PathValue("id"), in, milestone)
	if err != nil {
		return err
	}
	return writeJSON(w, versionOut(v, milestone))
}

func (h *Handler) deleteVersion(w http.ResponseWriter, r *http.Request, a modeler.Actor) error {
	if err := h.svc().DeleteVersion(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *Handler) restoreVersion(w http.ResponseWriter, r *http.Request, a modeler.Actor, milestone bool) error {
	var body struct {
		Version *json.Number `json:"version"`
	}
	b, err := h.readBody(w, r)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(b))) > 0 {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if d.Decode(&body) != nil {
			return &modeler.Error{Kind: modeler.Invalid, Detail: modeler.DetailMalformed}
		}
	}
	var ver int64
	if body.Version != nil && !milestone {
		if ver, err = body.Version.Int64(); err != nil || ver < 0 {
			return &modeler.Error{Kind: modeler.Invalid,
				Detail: "Request validation failed with the following errors: [version: 'must be greater than or equal to 0']."}
		}
	}
	v, err := h.svc().RestoreVersion(r.Context(), a, r.PathValue("id"), ver)
	if err != nil {
		return err
	}
	return writeJSON(w, versionOut(v, milestone))
}

func (h *Handler) searchVersions(w http.ResponseWriter, r *http.Request, a modeler.Actor, milestone bool) error {
	q, err := h.parseSearch(w, r, modeler.SearchVersions)
	if err != nil {
		return err
	}
	p, err := h.svc().SearchVersions(r.Context(), a, q)
	if err != nil {
		return err
	}
	if milestone {
		return writeJSON(w, client.SearchResult[client.MilestoneMetadata]{Items: mapSlice(p.Items, milestoneMeta), Total: p.Total})
	}
	return writeJSON(w, client.SearchResult[client.VersionMetadata]{Items: mapSlice(p.Items, versionMeta), Total: p.Total})
}

// compareVersions answers GET …/compare/{a}...{b} with a link to the comparison.
func (h *Handler) compareVersions(w http.ResponseWriter, r *http.Request, a modeler.Actor, path string) error {
	id1, id2, ok := strings.Cut(r.PathValue("pair"), "...")
	if !ok {
		return modeler.ErrNotFound
	}
	fileID, v1, v2, err := h.svc().CompareVersions(r.Context(), a, id1, id2)
	if err != nil {
		return err
	}
	return writeJSON(w, client.Comparison{URL: strings.TrimRight(h.cfg.PublicURL, "/") + "/files/" + fileID + path + "/compare/" + v1 + "..." + v2})
}
