// The caption panel: the open image's captions (several per image), the one
// shown on the canvas with its words (hover a word to see its stretch of
// trace, click it to centre the view on its point), recording a narrative
// (T), editing, re-recording and deleting a caption (each one undo step), a
// search over every caption of the project, and Localized Narratives import
// and export.
import '../styles/captions.css';

import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { Caption } from '../../../common/contract/index.js';
import { hasPoint, wordSegment } from '../../../common/narrative/alignment.js';
import { keyOf } from '../actions/actionList.js';
import { api } from '../api/client.js';
import { phraseAt } from '../lib/phraseAt.js';
import { useAppStore } from '../store/appStore.js';
import { shownCaption, wordUnderPointer } from '../store/captionsSlice.js';
import { ActionButton } from './ActionButton.js';

function RecordingBox() {
  const { text, typeNarrative, stopRecording, cancelRecording, frames } = useAppStore(
    useShallow((s) => ({
      text: s.recording?.text ?? '',
      frames: s.recording?.frames ?? 0,
      typeNarrative: s.typeNarrative,
      stopRecording: s.stopRecording,
      cancelRecording: s.cancelRecording,
    })),
  );
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => field.current?.focus(), []);
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void stopRecording();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      cancelRecording();
    }
  };
  return (
    <div className="narrative-recording" data-testid="narrative-recording">
      <p className="muted">
        Recording: point at each thing on the image while you type what it is. Enter stores it, Esc discards it.{' '}
        <span data-testid="narrative-frames">{frames}</span> frames.
      </p>
      <textarea
        ref={field}
        rows={3}
        value={text}
        data-testid="narrative-text"
        aria-label="Narrative text"
        onChange={(e) => typeNarrative(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="row-buttons">
        <button type="button" data-testid="narrative-stop" onClick={() => void stopRecording()}>
          Stop and keep
        </button>
        <button type="button" onClick={cancelRecording}>
          Discard
        </button>
      </div>
    </div>
  );
}

function Words({ caption, pointedIndex }: { caption: Caption; pointedIndex: number }) {
  const { setHoveredWord, centreOnWord, setPhraseDraft } = useAppStore(
    useShallow((s) => ({ setHoveredWord: s.setHoveredWord, centreOnWord: s.centreOnWord, setPhraseDraft: s.setPhraseDraft })),
  );
  if (caption.words.length === 0) return <p className="caption-text">{caption.text}</p>;
  return (
    <p className="caption-text caption-words" data-testid="caption-words">
      {caption.words.map((word, index) => {
        const classes = ['caption-word', index === pointedIndex ? 'is-hovered' : '', hasPoint(word) ? '' : 'is-unaligned'].filter(Boolean);
        return (
          <span key={index}>
            <button
              type="button"
              className={classes.join(' ')}
              data-testid="caption-word"
              data-index={index}
              title={
                hasPoint(word)
                  ? 'Click to centre the view on its point (its phrase goes to the phrase field)'
                  : 'Edited in after recording: no point of its own'
              }
              onMouseEnter={() => setHoveredWord({ captionId: caption.id, index })}
              onMouseLeave={() => setHoveredWord(null)}
              onClick={() => {
                centreOnWord({ captionId: caption.id, index });
                const phrase = phraseAt(
                  caption.words.map((w) => w.word),
                  index,
                );
                if (phrase) setPhraseDraft(phrase);
              }}
            >
              {word.word}
            </button>{' '}
          </span>
        );
      })}
    </p>
  );
}

/**
 * What the word pointed at owns: its time span and how many trace samples.
 * Always one line (a hint when no word is pointed at): the panel sits at the
 * bottom, so a line appearing would move the words from under the pointer.
 */
function WordInfo({ caption, index }: { caption: Caption; index: number }) {
  const word = caption.words[index];
  if (!word) return <p className="muted caption-word-info">Point at a word to see its stretch of trace; click it to centre the view.</p>;
  const samples = caption.trace ? wordSegment(caption.trace, word).reduce((n, part) => n + part.length, 0) : 0;
  const span = word.t === null ? 'no time' : `${word.t.toFixed(2)}–${(word.end ?? word.t).toFixed(2)} s`;
  return (
    <p className="muted caption-word-info" data-testid="caption-word-info" data-samples={samples}>
      “{word.word}”: {hasPoint(word) ? `${span}, ${samples} trace points` : 'edited in, not aligned'}
    </p>
  );
}

function CaptionRow({ caption, shown, pointedIndex }: { caption: Caption; shown: boolean; pointedIndex: number }) {
  const { setActiveCaption, editCaptionText, deleteCaption, startRecording, recording } = useAppStore(
    useShallow((s) => ({
      setActiveCaption: s.setActiveCaption,
      editCaptionText: s.editCaptionText,
      deleteCaption: s.deleteCaption,
      startRecording: s.startRecording,
      recording: s.recording !== null,
    })),
  );
  const [draft, setDraft] = useState<string | null>(null);
  const save = () => {
    if (draft !== null) void editCaptionText(caption.id, draft);
    setDraft(null);
  };
  return (
    <li className={shown ? 'caption-row is-shown' : 'caption-row'} data-testid="caption-row" data-caption-id={caption.id}>
      {draft !== null ? (
        <>
          <textarea
            rows={3}
            value={draft}
            data-testid="caption-edit-text"
            aria-label="Caption text"
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                save();
              } else if (e.key === 'Escape') setDraft(null);
            }}
          />
          <div className="row-buttons">
            <button type="button" data-testid="caption-edit-save" onClick={save}>
              Save
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </>
      ) : shown ? (
        <>
          <Words caption={caption} pointedIndex={pointedIndex} />
          {caption.words.length > 0 && <WordInfo caption={caption} index={pointedIndex} />}
          <div className="row-buttons">
            <span className="muted caption-source" title="Source">
              {caption.trace ? 'narrative' : caption.source}
            </span>
            <button type="button" data-testid="caption-edit" disabled={recording} onClick={() => setDraft(caption.text)}>
              Edit
            </button>
            <button type="button" data-testid="caption-rerecord" disabled={recording} onClick={() => startRecording(caption.id)}>
              Re-record
            </button>
            <button type="button" data-testid="caption-delete" disabled={recording} onClick={() => void deleteCaption(caption.id)}>
              Delete
            </button>
          </div>
        </>
      ) : (
        <button type="button" className="caption-text link-button" onClick={() => setActiveCaption(caption.id)}>
          {caption.text}
        </button>
      )}
    </li>
  );
}

/** The model's caption, before it is kept: each word's point drawn on the image; click a word to find its phrase's box. */
function CaptionProposalBox() {
  const { proposal, pointed, setProposalWord, accept, discard, groundPhrase } = useAppStore(
    useShallow((s) => ({
      proposal: s.captionProposal?.imageId === s.currentImage?.id ? s.captionProposal : null,
      pointed: s.proposalWord,
      setProposalWord: s.setProposalWord,
      accept: s.acceptCaptionProposal,
      discard: s.discardCaptionProposal,
      groundPhrase: s.groundPhrase,
    })),
  );
  if (!proposal) return null;
  const words = proposal.words.map((w) => w.word);
  const region = proposal.region;
  return (
    <div className="caption-proposal" data-testid="caption-proposal">
      <p className="muted">
        {region
          ? `The model describes the box ${Math.round(region.w)} × ${Math.round(region.h)} at ${Math.round(region.x)}, ${Math.round(region.y)}`
          : 'The model’s caption'}{' '}
        ({proposal.modelId}, {Math.round(proposal.timing.captionMs)} ms). Point at a word to see its point; click it to find its phrase.
      </p>
      <p className="caption-text caption-words" data-testid="caption-proposal-words">
        {proposal.words.map((word, index) => {
          const phrase = phraseAt(words, index);
          return (
            <span key={index}>
              <button
                type="button"
                className={index === pointed ? 'caption-word is-hovered' : 'caption-word'}
                data-testid="caption-proposal-word"
                title={phrase ? `Find “${phrase}” on the image` : undefined}
                onMouseEnter={() => setProposalWord(index)}
                onMouseLeave={() => setProposalWord(null)}
                onClick={() => phrase && void groundPhrase(phrase)}
              >
                {word.word}
              </button>{' '}
            </span>
          );
        })}
      </p>
      <div className="row-buttons">
        <button type="button" data-testid="caption-accept" onClick={() => void accept()}>
          Keep caption
        </button>
        <button type="button" data-testid="caption-discard" onClick={discard}>
          Discard
        </button>
      </div>
    </div>
  );
}

/** Phrase -> box: the model's text prompt finds what a phrase names; its best mask's box can be added as an annotation. */
function PhraseFinder() {
  const { draft, setDraft, grounded, working, groundPhrase, addGroundedBox, clearGroundedPhrase, labelName } = useAppStore(
    useShallow((s) => {
      const grounded = s.groundedPhrase?.imageId === s.currentImage?.id ? s.groundedPhrase : null;
      const labelId = grounded?.labelId ?? s.activeLabelId;
      return {
        draft: s.phraseDraft,
        setDraft: s.setPhraseDraft,
        grounded,
        working: s.captionWork !== null,
        groundPhrase: s.groundPhrase,
        addGroundedBox: s.addGroundedBox,
        clearGroundedPhrase: s.clearGroundedPhrase,
        labelName: s.labels.find((l) => l.id === labelId)?.name ?? 'no label',
      };
    }),
  );
  return (
    <div className="phrase-finder">
      <form
        className="row-buttons"
        onSubmit={(e) => {
          e.preventDefault();
          void groundPhrase(draft);
        }}
      >
        <input
          value={draft}
          placeholder="Find a phrase on the image"
          aria-label="Phrase to find"
          data-testid="phrase-input"
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" data-testid="phrase-find" disabled={working || draft.trim() === ''}>
          Find
        </button>
      </form>
      {grounded && (
        <div className="row-buttons" data-testid="phrase-box">
          <span className="muted">
            “{grounded.phrase}”: box {Math.round(grounded.box.w)} × {Math.round(grounded.box.h)} at {Math.round(grounded.box.x)},{' '}
            {Math.round(grounded.box.y)}
          </span>
          <button
            type="button"
            data-testid="phrase-add-box"
            title={`Add it as a box labelled ${labelName}`}
            onClick={() => void addGroundedBox()}
          >
            Add box
          </button>
          <button type="button" onClick={clearGroundedPhrase}>
            Clear
          </button>
        </div>
      )}
    </div>
  );
}

function CaptionSearch() {
  const { query, hits, searchCaptions, clearCaptionSearch, openCaptionHit } = useAppStore(
    useShallow((s) => ({
      query: s.captionQuery,
      hits: s.captionHits,
      searchCaptions: s.searchCaptions,
      clearCaptionSearch: s.clearCaptionSearch,
      openCaptionHit: s.openCaptionHit,
    })),
  );
  return (
    <div className="caption-search">
      <input
        type="search"
        placeholder="Search all captions"
        value={query}
        data-testid="caption-search"
        aria-label="Search all captions"
        onChange={(e) => void searchCaptions(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && clearCaptionSearch()}
      />
      {hits && (
        <ul className="caption-hits" data-testid="caption-hits">
          {hits.length === 0 && <li className="muted">No caption holds “{query}”.</li>}
          {hits.map((hit) => (
            <li key={hit.caption.id}>
              <button type="button" className="link-button" data-testid="caption-hit" onClick={() => void openCaptionHit(hit)}>
                <span className="muted">{hit.relPath}</span> {hit.caption.text}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A file path typed (browser mode) or chosen in the desktop app's file dialog, the only paths its host accepts. */
function PathField({
  value,
  onChange,
  placeholder,
  testId,
}: {
  value: string;
  onChange: (path: string) => void;
  placeholder: string;
  testId: string;
}) {
  const { isElectron, showError } = useAppStore(
    useShallow((s) => ({ isElectron: s.appInfo?.mode === 'electron', showError: s.showError })),
  );
  const choose = async () => {
    try {
      const { path } = await api.call('dialog.pickDatasetPath', { purpose: 'import', folder: false });
      if (path !== null) onChange(path);
    } catch (error) {
      showError(error);
    }
  };
  return (
    <div className="path-field">
      <input
        value={value}
        placeholder={placeholder}
        data-testid={testId}
        aria-label={placeholder}
        readOnly={isElectron}
        onChange={(e) => onChange(e.target.value)}
      />
      {isElectron && (
        <button type="button" onClick={() => void choose()}>
          Choose…
        </button>
      )}
    </div>
  );
}

function NarrativeFiles() {
  const { importNarratives, exportNarratives } = useAppStore(
    useShallow((s) => ({ importNarratives: s.importNarratives, exportNarratives: s.exportNarratives })),
  );
  const [importing, setImporting] = useState(false);
  const [path, setPath] = useState('');
  const [cocoPath, setCocoPath] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="narrative-files">
      <div className="row-buttons">
        <button type="button" data-testid="ln-export" disabled={busy} onClick={() => void run(() => exportNarratives())}>
          Export LN
        </button>
        <button type="button" data-testid="ln-import" disabled={busy} onClick={() => setImporting(!importing)}>
          Import LN…
        </button>
      </div>
      {importing && (
        <form
          className="narrative-import"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              if (await importNarratives(path.trim(), cocoPath.trim() || null)) setImporting(false);
            });
          }}
        >
          <PathField value={path} onChange={setPath} placeholder="Localized Narratives .jsonl file" testId="ln-import-path" />
          <PathField
            value={cocoPath}
            onChange={setCocoPath}
            placeholder="COCO file for image ids (optional: else file stems)"
            testId="ln-import-coco"
          />
          <button type="submit" data-testid="ln-import-go" disabled={busy || path.trim() === ''}>
            Import
          </button>
        </form>
      )}
    </div>
  );
}

export function CaptionPanel() {
  const { captions, shown, recording, pointed } = useAppStore(
    useShallow((s) => {
      const shown = shownCaption(s);
      const pointed = s.hoveredWord ?? wordUnderPointer(s);
      return {
        captions: s.captions,
        shown: shown?.id ?? null,
        recording: s.recording !== null,
        pointed: pointed && pointed.captionId === shown?.id ? pointed.index : -1,
      };
    }),
  );
  const { cancelRecording, discardCaptionProposal, clearGroundedPhrase, working } = useAppStore(
    useShallow((s) => ({
      cancelRecording: s.cancelRecording,
      discardCaptionProposal: s.discardCaptionProposal,
      clearGroundedPhrase: s.clearGroundedPhrase,
      working: s.captionWork,
    })),
  );
  const imageId = useAppStore((s) => s.currentImage?.id ?? null);
  // A recording, a caption proposal and a found box belong to the image they were made on.
  useEffect(
    () => () => {
      cancelRecording();
      discardCaptionProposal();
      clearGroundedPhrase();
    },
    [imageId, cancelRecording, discardCaptionProposal, clearGroundedPhrase],
  );
  return (
    <section className="panel-section caption-panel" data-testid="caption-panel">
      <h2>
        Captions <span className="muted">{captions.length}</span> <ActionButton name="caption.record" />{' '}
        <ActionButton name="caption.generate" /> <ActionButton name="caption.describe" />
      </h2>
      {working && working !== 'ground' && (
        <p className="muted" data-testid="caption-working">
          {working === 'describe' ? 'Describing the box…' : 'Captioning…'}
        </p>
      )}
      {recording && <RecordingBox />}
      <CaptionProposalBox />
      {captions.length === 0 && !recording && (
        <p className="muted">
          No caption yet: press {keyOf('caption.record')} to record a narrative, or {keyOf('caption.generate')} for the model’s caption.
        </p>
      )}
      <ul className="caption-list" data-testid="caption-list">
        {captions.map((c) => (
          <CaptionRow key={c.id} caption={c} shown={c.id === shown} pointedIndex={c.id === shown ? pointed : -1} />
        ))}
      </ul>
      <PhraseFinder />
      <CaptionSearch />
      <NarrativeFiles />
    </section>
  );
}
