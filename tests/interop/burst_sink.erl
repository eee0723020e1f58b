%% burst_sink — the erl end of dist_burst: counts {seq, I} and checks that
%% they come in order; {done, From} answers {got, Count, InOrder}.
-module(burst_sink).
-export([start/0]).

start() ->
    register(sink, self()),
    io:format("SINK READY~n"),
    loop(0, true).

loop(N, Ok) ->
    receive
        {seq, I} -> loop(N + 1, Ok andalso I =:= N + 1);
        {done, From} -> From ! {got, N, Ok}, loop(0, true)
    end.
