import { useCallback, useEffect, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Autocomplete, BlockStack, InlineStack, Tag } from "@shopify/polaris";

/**
 * Product pickers for the admin: the merchant types part of a title and picks from what
 * the shop's catalog holds (app/routes/app.product-search.tsx), however large it is.
 */
export interface PickedProduct {
  id: string;
  title: string;
}

interface SearchResult {
  products: Array<{ id: string; title: string; status: string }>;
}

/** Titles matching the text, asked for a moment after typing stops (and once on focus). */
function useProductSearch() {
  const fetcher = useFetcher<SearchResult>();
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    if (text === null) return;
    const timer = setTimeout(() => fetcher.load(`/app/product-search?q=${encodeURIComponent(text)}`), 200);
    return () => clearTimeout(timer);
    // fetcher.load is stable enough for this; depending on fetcher would re-run on every state change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);
  const results = fetcher.data?.products ?? [];
  const options = results.map((product) => ({ value: product.id, label: product.status === "active" ? product.title : `${product.title} (${product.status})` }));
  return { text: text ?? "", setText, results, options, loading: fetcher.state === "loading", start: useCallback(() => setText((current) => current ?? ""), []) };
}

/** One product: choosing it calls onSelect. */
export function ProductSearch({ label, placeholder, onSelect }: { label: string; placeholder: string; onSelect: (product: PickedProduct) => void }) {
  const search = useProductSearch();
  return (
    <Autocomplete
      options={search.options}
      selected={[]}
      loading={search.loading}
      onSelect={([id]) => {
        const product = search.results.find((candidate) => candidate.id === id);
        if (product) onSelect({ id: product.id, title: product.title });
        search.setText("");
      }}
      textField={<Autocomplete.TextField label={label} value={search.text} onChange={search.setText} onFocus={search.start} placeholder={placeholder} autoComplete="off" />}
    />
  );
}

/** Several products, in the order picked, shown as removable tags; the form gets their ids, comma separated, under `name`. */
export function ProductMultiPicker({ label, name, initial, error, helpText }: { label: string; name: string; initial: PickedProduct[]; error?: string; helpText?: string }) {
  const [picked, setPicked] = useState<PickedProduct[]>(initial);
  const search = useProductSearch();
  return (
    <BlockStack gap="200">
      <input type="hidden" name={name} value={picked.map((product) => product.id).join(",")} />
      <Autocomplete
        allowMultiple
        options={search.options}
        selected={picked.map((product) => product.id)}
        loading={search.loading}
        onSelect={(ids) => {
          const known = new Map([...picked, ...search.results].map((product) => [product.id, { id: product.id, title: product.title }]));
          setPicked(ids.flatMap((id) => (known.has(id) ? [known.get(id)!] : [])));
          search.setText(""); // ready for the next title
        }}
        textField={
          <Autocomplete.TextField label={label} value={search.text} onChange={search.setText} onFocus={search.start} error={error} helpText={helpText} placeholder="Search products by title" autoComplete="off" />
        }
      />
      {picked.length ? (
        <InlineStack gap="200">
          {picked.map((product) => (
            <Tag key={product.id} onRemove={() => setPicked((current) => current.filter((candidate) => candidate.id !== product.id))}>
              {product.title}
            </Tag>
          ))}
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}
