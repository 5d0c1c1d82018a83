// The model manager's part for the user's own models: the ones installed
// (with Remove), "Add model" from paths (files, a folder or an X-AnyLabeling
// YAML, recognised by the host from the graphs), drag and drop, "Download by
// URL" with the host's progress (bytes, rate, time left, Cancel), and the
// suggested public links, each marked "not verified here" unless its hash is
// known. A refusal is shown whole: the host's message names what it found
// and what it expected. Browser mode takes typed paths (a dropped File has
// no path there); the desktop app takes files chosen in its native dialog,
// the only model paths its host accepts.
import { type DragEvent, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { ModelLink } from '../../../common/contract/index.js';
import { useAppStore } from '../store/appStore.js';
import { formatBytes } from '../store/modelPacksSlice.js';
import { modelAddProgress, rateText } from '../store/userModelsSlice.js';

/** Paths typed one per line, or separated by commas: blank entries dropped. */
export const splitPaths = (text: string): string[] =>
  text
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');

const MODEL_FILE = /\.(onnx|ya?ml)$/i;

function AddProgress() {
  const { adding, progress, cancel } = useAppStore(
    useShallow((s) => ({ adding: s.modelAdd, progress: modelAddProgress(s.progressTasks), cancel: s.cancelModelAdd })),
  );
  if (!adding) return null;
  const total = progress?.total ?? 0;
  const bytes = adding.kind === 'url' && progress !== undefined && progress.title.startsWith('Downloading');
  const rate = progress ? rateText(progress, formatBytes) : '';
  return (
    <div className="model-add-progress" data-testid="model-add-progress">
      <progress max={total || undefined} value={total ? progress?.done : undefined} aria-label={progress?.title ?? 'Adding the model'} />
      <span data-testid="model-add-progress-text">
        {progress?.title ?? 'Starting…'}
        {bytes && progress ? ` · ${formatBytes(progress.done)}${total > 0 ? ` of ${formatBytes(total)}` : ''}` : ''}
        {rate ? ` · ${rate}` : ''}
        {progress?.detail ? ` (${progress.detail})` : ''}
      </span>
      <button type="button" data-testid="model-add-cancel" disabled={adding.cancelling} onClick={() => void cancel()}>
        {adding.cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}

function LinkRow({ link, onUse }: { link: ModelLink; onUse: (link: ModelLink) => void }) {
  return (
    <li className="model-link" data-testid="model-link" data-verified={link.verified ? '1' : '0'}>
      <div className="model-pack-head">
        <strong>{link.displayName}</strong>
        {link.verified ? (
          <span className="model-pack-installed">sha256 known</span>
        ) : (
          <span className="model-link-unverified">not verified here</span>
        )}
      </div>
      <p className="muted">{link.description}</p>
      <p className="muted">Source: {link.source}</p>
      <button type="button" data-testid="model-link-use" onClick={() => onUse(link)}>
        Put in the URL field
      </button>
    </li>
  );
}

export function UserModelsSection() {
  const s = useAppStore(
    useShallow((state) => ({
      electron: state.appInfo?.mode === 'electron',
      allModels: state.aiModels,
      inUse: state.aiStatus?.settings.modelId ?? null,
      adding: state.modelAdd !== null,
      outcome: state.modelAddOutcome,
      links: state.modelLinks,
      linksProblem: state.modelLinksProblem,
      addModel: state.addModel,
      chooseAndAddModel: state.chooseAndAddModel,
      fetchModelUrl: state.fetchModelUrl,
      removeUserModel: state.removeUserModel,
      loadModelLinks: state.loadModelLinks,
      chooseAiModel: state.chooseAiModel,
    })),
  );
  const models = s.allModels.filter((m) => m.source === 'user');
  const [paths, setPaths] = useState('');
  const [urls, setUrls] = useState('');
  const [sha, setSha] = useState('');
  const [dropNote, setDropNote] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const { loadModelLinks } = s;
  useEffect(() => void loadModelLinks(), [loadModelLinks]);

  const submitPaths = () => {
    const list = splitPaths(paths);
    if (list.length > 0) void s.addModel(list);
  };
  const onDrop = (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    setDragging(false);
    const names = [...e.dataTransfer.files].map((f) => f.name);
    const wanted = names.filter((n) => MODEL_FILE.test(n));
    const what =
      names.length === 0
        ? 'That drop held no files.'
        : wanted.length === 0
          ? `${names.join(', ')}: not an .onnx file, a folder of them, or a .yaml.`
          : null;
    setDropNote(
      what ??
        (s.electron
          ? `Dropped ${wanted.join(', ')}. The desktop app adds only files chosen in its dialog: use "Choose model files…".`
          : `Dropped ${wanted.join(', ')}. A browser does not tell the page where a dropped file is on disk, so type its full path below (the names are filled in as a start).`),
    );
    if (wanted.length > 0 && paths.trim() === '') setPaths(wanted.join('\n'));
  };
  const urlList = splitPaths(urls);
  const shaList = sha.split(/[\n,]/).map((h) => h.trim());
  return (
    <section
      className={`user-models${dragging ? ' is-dragging' : ''}`}
      data-testid="user-models"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h3>Your models</h3>
      {models.length === 0 ? (
        <p className="muted">None added yet.</p>
      ) : (
        <ul className="user-model-list">
          {models.map((m) => (
            <li key={m.id} data-testid="user-model" data-model-id={m.id}>
              <span>
                <strong>{m.displayName}</strong>{' '}
                <span className="muted">
                  ({m.kind}
                  {m.classNames ? `, ${m.classNames.length} classes` : ''})
                </span>
                {m.problem && <span className="model-pack-outcome is-failed"> — {m.problem}</span>}
              </span>
              <button
                type="button"
                data-testid="user-model-use"
                disabled={m.problem !== null || s.inUse === m.id}
                onClick={() => void s.chooseAiModel(m.id)}
              >
                {s.inUse === m.id ? 'In use' : 'Use it'}
              </button>
              <button
                type="button"
                data-testid="user-model-remove"
                disabled={s.inUse === m.id}
                title={s.inUse === m.id ? 'Choose another model first' : 'Delete its folder in your models folder'}
                onClick={() => void s.removeUserModel(m.id)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}

      <h3>Add model…</h3>
      <p className="muted">
        One or two .onnx files (a SAM / MobileSAM / SAM 2 encoder and decoder, or a YOLO detector / segmenter), a folder of them, or an
        X-AnyLabeling model .yaml. The family is recognised from the graphs, not the file names. Drop them here or give their paths.
      </p>
      {s.electron && (
        <p>
          <button
            type="button"
            className="primary"
            data-testid="model-add-choose"
            disabled={s.adding}
            onClick={() => void s.chooseAndAddModel()}
          >
            Choose model files…
          </button>{' '}
          <span className="muted" data-testid="model-add-electron-note">
            The desktop app adds only files chosen in this dialog, so a page cannot make it read other files.
          </span>
        </p>
      )}
      <form
        className="model-add-form"
        onSubmit={(e) => {
          e.preventDefault();
          submitPaths();
        }}
      >
        <textarea
          data-testid="model-add-paths"
          rows={2}
          placeholder={'/path/to/encoder.onnx\n/path/to/decoder.onnx'}
          value={paths}
          disabled={s.electron}
          onChange={(e) => setPaths(e.target.value)}
        />
        <button
          type="submit"
          className="primary"
          data-testid="model-add"
          disabled={s.electron || s.adding || splitPaths(paths).length === 0}
        >
          Add model
        </button>
      </form>
      {dropNote && (
        <p className="muted" data-testid="model-drop-note">
          {dropNote}
        </p>
      )}

      <h3>Download by URL</h3>
      <form
        className="model-add-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (urlList.length > 0)
            void s.fetchModelUrl(
              urlList,
              urlList.map((_, i) => shaList[i] || null),
            );
        }}
      >
        <textarea
          data-testid="model-url"
          rows={2}
          placeholder="https://… (one file, or encoder then decoder)"
          value={urls}
          onChange={(e) => setUrls(e.target.value)}
        />
        <input
          data-testid="model-url-sha256"
          placeholder="sha256 (optional, one per URL)"
          value={sha}
          onChange={(e) => setSha(e.target.value)}
        />
        <button type="submit" data-testid="model-url-fetch" disabled={s.adding || urlList.length === 0 || urlList.length > 2}>
          Download
        </button>
      </form>
      <AddProgress />
      {s.outcome && (
        <p
          className={`model-pack-outcome is-${s.outcome.kind}`}
          data-testid="model-add-outcome"
          data-kind={s.outcome.kind}
          role={s.outcome.kind === 'failed' ? 'alert' : 'status'}
        >
          {s.outcome.kind === 'failed' ? `Not added: ${s.outcome.message}` : s.outcome.message}
        </p>
      )}

      <h3>Suggested links</h3>
      {s.linksProblem && <p className="muted">{s.linksProblem}</p>}
      {s.links && s.links.length > 0 && (
        <ul className="model-packs">
          {s.links.map((link) => (
            <LinkRow
              key={link.id}
              link={link}
              onUse={(l) => {
                setUrls(l.urls.join('\n'));
                setSha(l.sha256.map((h) => h ?? '').join('\n'));
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
