/*
 * allears test-only Elasticsearch module.
 *
 * The Elasticsearch distribution published on Maven Central (the "integ-test-zip") ships the server,
 * the HTTP transport and x-pack core/security, but not the analysis-common, rest-root, reindex or
 * lang-painless modules. This module supplies the small part of them that allears' test suite relies
 * on, built directly on the Lucene and server classes the full modules use:
 *
 *   analyzers    english (stopwords, stem_exclusion), cjk (stopwords)
 *   tokenizers   whitespace, keyword, letter  (max_token_length / buffer_size)
 *   filters      stemmer (language), porter_stem, kstem, snowball (language), asciifolding
 *                (preserve_original), trim, cjk_width, cjk_bigram (ignored_scripts, output_unigrams)
 *   char filter  html_strip                   (escaped_tags)
 *   REST         GET / and HEAD /             (cluster and version info)
 *                POST /{index}/_delete_by_query (query, max_docs; refresh, conflicts, scroll_size),
 *                run synchronously as scroll + bulk deletes guarded by seq_no/primary_term
 *
 * It is compiled by test/services/elasticsearch.sh against the jars of the distribution it runs in.
 * Production deployments use the full Elasticsearch image, which has the real modules.
 */
package org.allears.estest;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.Build;
import org.elasticsearch.ElasticsearchException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.DocWriteResponse;
import org.elasticsearch.action.admin.indices.refresh.RefreshRequest;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.search.ClearScrollRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.search.SearchScrollRequest;
import org.elasticsearch.common.Strings;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.env.Environment;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractCharFilterFactory;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;
import org.tartarus.snowball.SnowballStemmer;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

public final class AllearsTestExtrasPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

    private final AtomicReference<ClusterService> clusterService = new AtomicReference<>();

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService.set(services.clusterService());
        return List.of();
    }

    // ---------------------------------------------------------------- analysis

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("english", EnglishProvider::new, "cjk", CjkProvider::new);
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of(
            "whitespace", (indexSettings, env, name, settings) -> tokenizer(indexSettings, settings, name, () -> {
                int max = settings.getAsInt("max_token_length", 255);
                return new WhitespaceTokenizer(WhitespaceTokenizer.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, max);
            }),
            "keyword", (indexSettings, env, name, settings) -> tokenizer(indexSettings, settings, name, () -> {
                int buffer = settings.getAsInt("buffer_size", 256);
                return new KeywordTokenizer(buffer);
            }),
            "letter", (indexSettings, env, name, settings) -> tokenizer(indexSettings, settings, name, LetterTokenizer::new)
        );
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "stemmer", (indexSettings, env, name, settings) -> {
                String language = settings.get("language", settings.get("name", "porter"));
                return filter(name, settings, stemmerFor(language));
            },
            "porter_stem", (indexSettings, env, name, settings) -> filter(name, settings, PorterStemFilter::new),
            "kstem", (indexSettings, env, name, settings) -> filter(name, settings, KStemFilter::new),
            "snowball", (indexSettings, env, name, settings) -> {
                String language = settings.get("language", "English");
                return filter(name, settings, snowball(language));
            },
            "asciifolding", (indexSettings, env, name, settings) -> {
                boolean preserve = settings.getAsBoolean("preserve_original", false);
                return normalizingFilter(name, settings, in -> new ASCIIFoldingFilter(in, preserve));
            },
            "trim", (indexSettings, env, name, settings) -> normalizingFilter(name, settings, TrimFilter::new),
            "cjk_width", (indexSettings, env, name, settings) -> normalizingFilter(name, settings, CJKWidthFilter::new),
            "cjk_bigram", (indexSettings, env, name, settings) -> {
                int flags = CJKBigramFilter.HAN | CJKBigramFilter.HIRAGANA | CJKBigramFilter.KATAKANA | CJKBigramFilter.HANGUL;
                for (String script : settings.getAsList("ignored_scripts", List.of())) {
                    switch (script.toLowerCase(Locale.ROOT)) {
                        case "han" -> flags &= ~CJKBigramFilter.HAN;
                        case "hiragana" -> flags &= ~CJKBigramFilter.HIRAGANA;
                        case "katakana" -> flags &= ~CJKBigramFilter.KATAKANA;
                        case "hangul" -> flags &= ~CJKBigramFilter.HANGUL;
                        default -> throw new IllegalArgumentException("unknown script [" + script + "] in [ignored_scripts]");
                    }
                }
                int scripts = flags;
                boolean unigrams = settings.getAsBoolean("output_unigrams", false);
                return filter(name, settings, in -> new CJKBigramFilter(in, scripts, unigrams));
            }
        );
    }

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        return Map.of("html_strip", (indexSettings, env, name, settings) -> {
            List<String> escaped = settings.getAsList("escaped_tags", List.of());
            Set<String> tags = escaped.isEmpty() ? null : new HashSet<>(escaped);
            return new AbstractCharFilterFactory(name) {
                @Override
                public Reader create(Reader reader) {
                    return new HTMLStripCharFilter(reader, tags);
                }
            };
        });
    }

    /** The "english" analyzer: Lucene's EnglishAnalyzer with the configurable stopwords and stem exclusions. */
    static final class EnglishProvider extends AbstractIndexAnalyzerProvider<EnglishAnalyzer> {
        private final EnglishAnalyzer analyzer;

        EnglishProvider(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            CharArraySet stopwords = Analysis.parseStopWords(env, settings, EnglishAnalyzer.getDefaultStopSet());
            CharArraySet exclusions = Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET);
            this.analyzer = new EnglishAnalyzer(stopwords, exclusions);
        }

        @Override
        public EnglishAnalyzer get() {
            return analyzer;
        }
    }

    /** The "cjk" analyzer: Lucene's CJKAnalyzer (width folding, lowercasing, bigrams) with configurable stopwords. */
    static final class CjkProvider extends AbstractIndexAnalyzerProvider<CJKAnalyzer> {
        private final CJKAnalyzer analyzer;

        CjkProvider(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            this.analyzer = new CJKAnalyzer(Analysis.parseStopWords(env, settings, CJKAnalyzer.getDefaultStopSet()));
        }

        @Override
        public CJKAnalyzer get() {
            return analyzer;
        }
    }

    private static TokenizerFactory tokenizer(IndexSettings indexSettings, Settings settings, String name, Supplier<Tokenizer> make) {
        return new AbstractTokenizerFactory(indexSettings, settings, name) {
            @Override
            public Tokenizer create() {
                return make.get();
            }
        };
    }

    private static TokenFilterFactory filter(String name, Settings settings, Function<TokenStream, TokenStream> make) {
        return new AbstractTokenFilterFactory(name, settings) {
            @Override
            public TokenStream create(TokenStream in) {
                return make.apply(in);
            }
        };
    }

    private static TokenFilterFactory normalizingFilter(String name, Settings settings, Function<TokenStream, TokenStream> make) {
        final class Normalizing extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
            Normalizing() {
                super(name, settings);
            }

            @Override
            public TokenStream create(TokenStream in) {
                return make.apply(in);
            }
        }
        return new Normalizing();
    }

    /** English stemmer variants by their Elasticsearch names; any other language name uses its Snowball stemmer. */
    private static Function<TokenStream, TokenStream> stemmerFor(String language) {
        switch (language.toLowerCase(Locale.ROOT)) {
            case "porter":
            case "english":
                return PorterStemFilter::new;
            case "light_english":
            case "kstem":
                return KStemFilter::new;
            case "minimal_english":
                return EnglishMinimalStemFilter::new;
            case "possessive_english":
                return EnglishPossessiveFilter::new;
            case "porter2":
                return snowball("English");
            case "lovins":
                return snowball("Lovins");
            default:
                return snowball(language);
        }
    }

    private static Function<TokenStream, TokenStream> snowball(String language) {
        String simple = language.substring(0, 1).toUpperCase(Locale.ROOT) + language.substring(1).toLowerCase(Locale.ROOT);
        String className = "org.tartarus.snowball.ext." + simple + "Stemmer";
        final Class<?> stemmerClass;
        try {
            stemmerClass = Class.forName(className, true, SnowballFilter.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("unknown stemmer language [" + language + "]", e);
        }
        return in -> {
            try {
                return new SnowballFilter(in, (SnowballStemmer) stemmerClass.getDeclaredConstructor().newInstance());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create stemmer [" + className + "]", e);
            }
        };
    }

    // ---------------------------------------------------------------- REST root

    @Override
    public Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RootInfoHandler(clusterService::get), new DeleteByQueryHandler());
    }

    /** GET / and HEAD /: node name, cluster name and uuid, version details (as clients expect from the root endpoint). */
    static final class RootInfoHandler extends BaseRestHandler {
        private final Supplier<ClusterService> clusterService;

        RootInfoHandler(Supplier<ClusterService> clusterService) {
            this.clusterService = clusterService;
        }

        @Override
        public String getName() {
            return "allears_root_info";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
            ClusterService service = clusterService.get();
            return channel -> {
                if (request.method() == RestRequest.Method.HEAD) {
                    channel.sendResponse(new RestResponse(RestStatus.OK, RestResponse.TEXT_CONTENT_TYPE, BytesArray.EMPTY));
                    return;
                }
                ClusterState state = service.state();
                Build build = Build.current();
                XContentBuilder b = channel.newBuilder();
                b.startObject();
                b.field("name", service.getNodeName());
                b.field("cluster_name", service.getClusterName().value());
                b.field("cluster_uuid", state.metadata().clusterUUID());
                b.startObject("version");
                b.field("number", build.qualifiedVersion());
                b.field("build_flavor", build.flavor());
                b.field("build_type", build.type().displayName());
                b.field("build_hash", build.hash());
                b.field("build_date", build.date());
                b.field("build_snapshot", build.isSnapshot());
                b.field("lucene_version", org.apache.lucene.util.Version.LATEST.toString());
                b.field("minimum_wire_compatibility_version", build.minWireCompatVersion());
                b.field("minimum_index_compatibility_version", build.minIndexCompatVersion());
                b.endObject();
                b.field("tagline", "You Know, for Search");
                b.endObject();
                channel.sendResponse(new RestResponse(RestStatus.OK, b));
            };
        }
    }

    // ---------------------------------------------------------------- _delete_by_query

    /**
     * POST /{index}/_delete_by_query, synchronous: scrolls over the matching documents and deletes each
     * batch with a bulk request whose deletes carry the seq_no/primary_term the search saw, so a document
     * changed meanwhile counts as a version conflict (conflicts=abort stops there with 409, as
     * Elasticsearch does; conflicts=proceed counts and goes on). The response has the same fields as
     * Elasticsearch's.
     */
    static final class DeleteByQueryHandler extends BaseRestHandler {
        private static final TimeValue SCROLL_KEEP_ALIVE = TimeValue.timeValueMinutes(5);

        @Override
        public String getName() {
            return "allears_delete_by_query";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.POST, "/{index}/_delete_by_query"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
            String[] indices = Strings.splitStringByCommaToArray(request.param("index"));
            boolean refresh = request.paramAsBoolean("refresh", false);
            String conflicts = request.param("conflicts", "abort");
            if (conflicts.equals("abort") == false && conflicts.equals("proceed") == false) {
                throw new IllegalArgumentException("conflicts may only be \"proceed\" or \"abort\" but was [" + conflicts + "]");
            }
            if (request.paramAsBoolean("wait_for_completion", true) == false) {
                throw new IllegalArgumentException("wait_for_completion=false is not supported by this test server");
            }
            int scrollSize = request.paramAsInt("scroll_size", 1000);
            long maxDocs = request.paramAsInt("max_docs", -1);
            // Accepted and ignored: they change pacing or parallelism only.
            request.param("slices");
            request.param("requests_per_second");
            request.param("timeout");
            request.param("wait_for_active_shards");
            request.param("scroll");
            QueryBuilder query = QueryBuilders.matchAllQuery();
            if (request.hasContent()) {
                try (XContentParser parser = request.contentParser()) {
                    XContentParser.Token token = parser.nextToken();
                    if (token != XContentParser.Token.START_OBJECT) {
                        throw new IllegalArgumentException("_delete_by_query body must be an object");
                    }
                    while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
                        String field = parser.currentName();
                        parser.nextToken();
                        switch (field) {
                            case "query" -> query = AbstractQueryBuilder.parseTopLevelQuery(parser);
                            case "max_docs" -> maxDocs = parser.longValue();
                            default -> throw new IllegalArgumentException(
                                "_delete_by_query field [" + field + "] is not supported by this test server"
                            );
                        }
                    }
                }
            }
            SearchRequest search = new SearchRequest(indices).source(
                new SearchSourceBuilder().query(query).size(maxDocs > 0 ? (int) Math.min(scrollSize, maxDocs) : scrollSize)
                    .seqNoAndPrimaryTerm(true).fetchSource(false).trackTotalHits(true)
            ).scroll(SCROLL_KEEP_ALIVE);
            boolean abortOnConflict = conflicts.equals("abort");
            long limit = maxDocs;
            return channel -> new Run(client, channel, indices, refresh, abortOnConflict, limit).start(search);
        }

        /** One request's progress; each step runs in the listener of the previous one. */
        private static final class Run {
            private final NodeClient client;
            private final RestChannel channel;
            private final String[] indices;
            private final boolean refresh;
            private final boolean abortOnConflict;
            private final long maxDocs;
            private final long startNanos = System.nanoTime();
            private final List<BulkItemResponse.Failure> failures = new ArrayList<>();
            private long total;
            private long deleted;
            private long batches;
            private long conflicts;
            private long noops;
            private String scrollId;

            Run(NodeClient client, RestChannel channel, String[] indices, boolean refresh, boolean abortOnConflict, long maxDocs) {
                this.client = client;
                this.channel = channel;
                this.indices = indices;
                this.refresh = refresh;
                this.abortOnConflict = abortOnConflict;
                this.maxDocs = maxDocs;
            }

            void start(SearchRequest search) {
                client.search(search, ActionListener.wrap(this::onBatch, this::fail));
            }

            private void onBatch(SearchResponse response) {
                scrollId = response.getScrollId();
                if (batches == 0) {
                    long hitsTotal = response.getHits().getTotalHits() == null ? 0 : response.getHits().getTotalHits().value;
                    total = maxDocs > 0 ? Math.min(hitsTotal, maxDocs) : hitsTotal;
                }
                BulkRequest bulk = new BulkRequest();
                for (SearchHit hit : response.getHits().getHits()) {
                    if (maxDocs > 0 && deleted + conflicts + noops + bulk.numberOfActions() >= maxDocs) {
                        break;
                    }
                    DeleteRequest delete = new DeleteRequest(hit.getIndex(), hit.getId());
                    delete.setIfSeqNo(hit.getSeqNo());
                    delete.setIfPrimaryTerm(hit.getPrimaryTerm());
                    bulk.add(delete);
                }
                if (bulk.numberOfActions() == 0) {
                    finish();
                    return;
                }
                batches++;
                client.bulk(bulk, ActionListener.wrap(result -> {
                    boolean stop = false;
                    for (BulkItemResponse item : result.getItems()) {
                        if (item.isFailed()) {
                            if (item.getFailure().getStatus() == RestStatus.CONFLICT) {
                                conflicts++;
                                if (abortOnConflict) {
                                    failures.add(item.getFailure());
                                    stop = true;
                                }
                            } else {
                                failures.add(item.getFailure());
                                stop = true;
                            }
                        } else if (item.getResponse().getResult() == DocWriteResponse.Result.DELETED) {
                            deleted++;
                        } else {
                            noops++;
                        }
                    }
                    if (stop || (maxDocs > 0 && deleted + conflicts + noops >= maxDocs)) {
                        finish();
                    } else {
                        client.searchScroll(
                            new SearchScrollRequest(scrollId).scroll(SCROLL_KEEP_ALIVE),
                            ActionListener.wrap(this::onBatch, this::fail)
                        );
                    }
                }, this::fail));
            }

            private void finish() {
                clearScroll();
                if (refresh) {
                    client.admin().indices().refresh(new RefreshRequest(indices), ActionListener.wrap(r -> respond(), this::fail));
                } else {
                    respond();
                }
            }

            private void clearScroll() {
                if (scrollId != null) {
                    ClearScrollRequest clear = new ClearScrollRequest();
                    clear.addScrollId(scrollId);
                    client.clearScroll(clear, ActionListener.noop());
                    scrollId = null;
                }
            }

            private void respond() {
                try {
                    XContentBuilder b = channel.newBuilder();
                    b.startObject();
                    b.field("took", TimeValue.nsecToMSec(System.nanoTime() - startNanos));
                    b.field("timed_out", false);
                    b.field("total", total);
                    b.field("deleted", deleted);
                    b.field("batches", batches);
                    b.field("version_conflicts", conflicts);
                    b.field("noops", noops);
                    b.startObject("retries").field("bulk", 0).field("search", 0).endObject();
                    b.field("throttled_millis", 0);
                    b.field("requests_per_second", -1.0f);
                    b.field("throttled_until_millis", 0);
                    b.startArray("failures");
                    for (BulkItemResponse.Failure f : failures) {
                        b.startObject();
                        b.field("index", f.getIndex());
                        b.field("id", f.getId());
                        b.startObject("cause");
                        ElasticsearchException.generateThrowableXContent(b, channel.request(), f.getCause());
                        b.endObject();
                        b.field("status", f.getStatus().getStatus());
                        b.endObject();
                    }
                    b.endArray();
                    b.endObject();
                    RestStatus status = RestStatus.OK;
                    for (BulkItemResponse.Failure f : failures) {
                        if (f.getStatus().getStatus() > status.getStatus()) {
                            status = f.getStatus();
                        }
                    }
                    channel.sendResponse(new RestResponse(status, b));
                } catch (Exception e) {
                    fail(e);
                }
            }

            private void fail(Exception e) {
                clearScroll();
                try {
                    channel.sendResponse(new RestResponse(channel, e));
                } catch (IOException io) {
                    e.addSuppressed(io);
                    channel.sendResponse(new RestResponse(RestStatus.INTERNAL_SERVER_ERROR, RestResponse.TEXT_CONTENT_TYPE, new BytesArray(e.toString())));
                }
            }
        }
    }
}
