/** The language switch of every page (its label in the page's language; the options in their own). */
import type { Lang } from './i18n';

/** Chinese or English; `label` is the switch's own name (shown in the other language too, for whoever cannot read this one). */
export function LanguageSelect({ label, lang, onChange }: { label: string; lang: Lang; onChange: (l: Lang) => void }) {
  return (
    <label class="inline">
      <span>{label}</span>
      <select value={lang} onChange={(e) => onChange((e.target as HTMLSelectElement).value as Lang)}>
        <option value="zh-CN">中文</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}
