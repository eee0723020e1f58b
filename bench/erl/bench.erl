%% bench.erl — the Erlang counterparts of bench/bench_*.c, same programs.
%% Each prints one line `beam=VALUE unit=UNIT` (the units of the C side).
%%
%%   erlc bench.erl && erl -noshell -run bench main ring
%%   names: ring spawn idle_memory ping_pong selective_receive serve_10m
%%   (idle_memory takes a count: -run bench main idle_memory 1000000, with +P)
-module(bench).
-export([main/1]).

main([Name | Args]) ->
    Ints = [list_to_integer(A) || A <- Args],
    {Value, Unit} = run(list_to_atom(Name), Ints),
    io:format("beam=~s unit=~s~n", [Value, Unit]),
    halt(0).

now_ns() -> erlang:monotonic_time(nanosecond).

rss_bytes() ->
    {ok, Bin} = file:read_file("/proc/self/statm"),
    [_Size, Resident | _] = string:lexemes(binary_to_list(Bin), " \n"),
    list_to_integer(Resident) * 4096.

fmt(F, Decimals) -> float_to_list(float(F), [{decimals, Decimals}]).

%% ------------------------------------------------------------------ ring --
run(ring, Args) ->
    [N, Laps] = Args ++ lists:nthtail(length(Args), [10000, 1000]),
    Main = self(),
    First = spawn(fun() -> receive {next, P} -> node(P, Main) end end),
    Last = lists:foldl(fun(_, Prev) -> spawn(fun() -> node(Prev, Main) end) end,
                       First, lists:seq(2, N)),
    First ! {next, Last},
    T0 = now_ns(),
    First ! N * Laps,
    receive done -> ok end,
    Secs = (now_ns() - T0) / 1.0e9,
    {fmt(N * Laps / Secs, 0), "msg/s"};

%% ----------------------------------------------------------------- spawn --
run(spawn, Args) ->
    [N] = Args ++ lists:nthtail(length(Args), [1000000]),
    Base = erlang:system_info(process_count),
    T0 = now_ns(),
    spawn_loop(N),
    wait_count(Base),
    {fmt((now_ns() - T0) / N, 1), "ns"};

%% ----------------------------------------------------------- idle_memory --
run(idle_memory, Args) ->
    [N] = Args ++ lists:nthtail(length(Args), [100000]),
    garbage_collect(),
    Before = erlang:memory(processes),
    Pids = [spawn(fun idle/0) || _ <- lists:seq(1, N)],
    wait_waiting(lists:last(Pids)),
    After = erlang:memory(processes),
    %% The list of pids lives on this process's heap: not the children's cost.
    Own = erts_debug:flat_size(Pids) * erlang:system_info(wordsize),
    {fmt((After - Before - Own) / N, 0), "B"};

%% ------------------------------------------------------------- ping_pong --
run(ping_pong, Args) ->
    [N] = Args ++ lists:nthtail(length(Args), [1000000]),
    P = spawn(fun ponger/0),
    Ping = {ping, self()},
    exchange(P, Ping, 10000),
    T0 = now_ns(),
    exchange(P, Ping, N),
    {fmt((now_ns() - T0) / N, 1), "ns"};

%% ----------------------------------------------------- selective_receive --
run(selective_receive, Args) ->
    [Rounds, Parked] = Args ++ lists:nthtail(length(Args), [100000, 1000]),
    Self = self(),
    R = spawn(fun() -> receiver(Self, Parked) end),
    receive ack -> ok end,
    selective_rounds(R, 1000),
    T0 = now_ns(),
    selective_rounds(R, Rounds),
    {fmt((now_ns() - T0) / 1000 / Rounds, 3), "us"};

%% ------------------------------------------------------------- serve_10m --
run(serve_10m, Args) ->
    [N] = Args ++ lists:nthtail(length(Args), [10000000]),
    S = spawn(fun server/0),
    Sync = {sync, self()},
    Growth = serve(S, Sync, 0, N, undefined, 0),
    {integer_to_list(Growth), "B"}.

%% ---------------------------------------------------------------- helpers --
node(Next, Main) ->
    receive
        0 -> Main ! done, node(Next, Main);
        C -> Next ! C - 1, node(Next, Main)
    end.

spawn_loop(0) -> ok;
spawn_loop(N) -> spawn(fun() -> ok end), spawn_loop(N - 1).

wait_count(Base) ->
    case erlang:system_info(process_count) > Base of
        true -> erlang:yield(), wait_count(Base);
        false -> ok
    end.

idle() -> receive stop -> ok end.

wait_waiting(P) ->
    case process_info(P, status) of
        {status, waiting} -> ok;
        _ -> timer:sleep(1), wait_waiting(P)
    end.

ponger() -> receive {ping, From} -> From ! pong, ponger() end.

exchange(_, _, 0) -> ok;
exchange(P, Ping, N) -> P ! Ping, receive pong -> ok end, exchange(P, Ping, N - 1).

receiver(Sender, Parked) ->
    [self() ! {junk, I} || I <- lists:seq(0, Parked - 1)],
    Sender ! ack,
    receiver_loop(Sender).
receiver_loop(Sender) ->
    receive {ping, _} -> Sender ! ack end,
    receiver_loop(Sender).

selective_rounds(_, 0) -> ok;
selective_rounds(R, N) ->
    R ! {ping, N}, receive ack -> ok end, selective_rounds(R, N - 1).

server() ->
    receive
        {req, _} -> server();
        {sync, From} -> From ! ack, server()
    end.

-define(BATCH, 1000).
-define(WARMUP, 100000).
serve(_, _, Sent, N, Base, Peak) when Sent >= N ->
    End = rss_bytes(),
    max(End, Peak) - (case Base of undefined -> max(End, Peak); _ -> Base end);
serve(S, Sync, Sent, N, Base, Peak) ->
    send_batch(S, Sent, ?BATCH),
    S ! Sync,
    receive ack -> ok end,
    Sent2 = Sent + ?BATCH,
    if
        Sent2 =:= ?WARMUP ->
            R = rss_bytes(), serve(S, Sync, Sent2, N, R, R);
        Sent2 > ?WARMUP, Sent2 rem 1000000 =:= 0 ->
            serve(S, Sync, Sent2, N, Base, max(Peak, rss_bytes()));
        true ->
            serve(S, Sync, Sent2, N, Base, Peak)
    end.

send_batch(_, _, 0) -> ok;
send_batch(S, I, K) -> S ! {req, I}, send_batch(S, I + 1, K - 1).
