%% peer.escript — the other node of a Part 2 check (steps 9-14), played by
%% a real erl node. The grader runs it with file:script/1 inside
%%     erl -noshell -name NODE -setcookie COOKIE -eval ...
%% and the environment: TAPA_STEP (09..14), TAPA_NODE1, TAPA_NODE2 (this node
%% is one of them, the learner's program the other), TAPA_SEED (fresh and
%% random per run), TAPA_PEER_KEY (this run's secret: every verdict carries
%% it), TAPA_LEARNER_OUT (a file: what the learner's program printed).
%%
%% The protocol is the one of tests/course/peer.c, the C peer used where erl
%% is not installed: print "@ready" when the learner's program may start;
%% when stdin closes, the program has ended and its output is in
%% TAPA_LEARNER_OUT: print one verdict per check ("@pass KEY ID" or
%% "@fail KEY ID<TAB>why"), lines "| text" for the report, then "@end".
Step = os:getenv("TAPA_STEP"),
N1 = list_to_atom(os:getenv("TAPA_NODE1")),
N2 = list_to_atom(os:getenv("TAPA_NODE2")),
Seed = list_to_integer(os:getenv("TAPA_SEED", "1")),
Out = fun(Fmt, Args) -> io:format(user, Fmt, Args) end,
Say = fun(Fmt, Args) -> Out("| " ++ Fmt ++ "~n", Args) end,
Key = os:getenv("TAPA_PEER_KEY", "nokey"), %% this run's secret: the grader takes only verdicts with it
Verdict = fun(Id, true, _) -> Out("@pass ~s ~s~n", [Key, Id]);
             (Id, false, Why) -> Out("@fail ~s ~s\t~ts~n", [Key, Id, Why])
          end,
Fmt = fun(F, A) -> lists:flatten(io_lib:format(F, A)) end,
%% Terms as iex prints the few this script shows.
PidText = fun(P) -> "#PID" ++ pid_to_list(P) end,
AtomText = fun(A) -> "{:nodedown, :\"" ++ atom_to_list(A) ++ "\"}" end,
Main = self(),
register(tapa_peer, Main),

%% Tapa.Demo, as build/bin/tapa-node offers it: whoami/0 and sleep/1.
Forms = [begin {ok, T, _} = erl_scan:string(S), {ok, F} = erl_parse:parse_form(T), F end || S <- [
    "-module('Elixir.Tapa.Demo').",
    "-export([whoami/0, sleep/1]).",
    "whoami() -> io:format(user, \"pid: #PID~s~n\", [pid_to_list(self())]),"
    "    {initial_call, IC} = erlang:process_info(self(), initial_call),"
    "    catch tapa_peer ! {whoami, self(), IC}, self().",
    "sleep(Ms) -> catch tapa_peer ! {sleeper, self()}, timer:sleep(Ms), ok."]],
{ok, Mod, Bin} = compile:forms(Forms),
{module, _} = code:load_binary(Mod, "tapa_demo.erl", Bin),

%% The learner's program has ended when stdin closes.
spawn_link(fun() ->
    Read = fun R() -> case io:get_line('') of eof -> Main ! learner_done; {error, _} -> Main ! learner_done; _ -> R() end end,
    Read()
end),
LearnerLines = fun() ->
    case file:read_file(os:getenv("TAPA_LEARNER_OUT")) of
        {ok, B} -> [binary_to_list(L) || L <- binary:split(B, <<"\n">>, [global])];
        _ -> []
    end
end,
%% Number of a pid (the middle one) and of the pids in a line "#PID<A.B.C>".
PidNum = fun(P) -> [_, B, _] = string:tokens(pid_to_list(P), "<.>"), B end,
PidsIn = fun(Line) ->
    case re:run(Line, "#PID<([0-9]+)\\.([0-9]+)\\.([0-9]+)>", [global, {capture, all_but_first, list}]) of
        {match, L} -> L;
        nomatch -> []
    end
end,
net_kernel:monitor_nodes(true, [{node_type, all}]),
%% A C fun as the kit's runtime sends it: Module.function/arity plus captured
%% terms (NEW_FUN_EXT marked "tapa C fun v1"); the C node that receives it
%% calls its own code of that name.
Enc = fun(T) -> <<131, R/binary>> = term_to_binary(T), R end,
CFun = fun(M, F, Arity, Captured) ->
    Body = <<Arity, "tapa C fun v1", 0, 0, 0, 0:32, (length(Captured) + 1):32, (Enc(M))/binary,
             (Enc(0))/binary, (Enc(0))/binary, (Enc(self()))/binary, (Enc(F))/binary,
             (<< <<(Enc(C))/binary>> || C <- Captured >>)/binary>>,
    binary_to_term(<<131, 112, (byte_size(Body) + 4):32, Body/binary>>)
end,
%% Send Msg to {repl_node2, N2} once the name is there (a monitor of a name
%% that nobody has comes back at once as noproc). Returns when Until matches
%% a message, or learner_done comes: {got, Msg} | done.
SendToName = fun(Msg, Until) ->
    Loop = fun L(Up) ->
        receive
            {nodeup, N2, _} when not Up -> L(true);
            learner_done -> done
        after (case Up of true -> 0; false -> infinity end) ->
            Ref = monitor(process, {repl_node2, N2}),
            {repl_node2, N2} ! Msg,
            Wait = fun W() ->
                receive
                    {'DOWN', Ref, _, _, noproc} -> receive learner_done -> done after 20 -> L(true) end;
                    {'DOWN', Ref, _, _, _} -> W();
                    learner_done -> done;
                    X -> case Until(X) of true -> {got, X}; false -> W() end
                end
            end,
            Wait()
        end
    end,
    Loop(lists:member(N2, nodes(hidden)))
end,
WaitDone = fun W(Acc) -> receive learner_done -> lists:reverse(Acc); X -> W([X | Acc]) end end,
Out("@ready~n", []),

case Step of
"09" ->
    Seen = WaitDone([]),
    Ups = [N || {nodeup, N, _} <- Seen],
    Verdict("node1_sees_node2", lists:member(N2, Ups),
            case Ups of
                [] -> Fmt("node1 (a real erl node) saw no node connect. Node.ping connects only from a node: "
                          "start this program as node2 first (tapa_node_start with node_name(2) and cookie()).", []);
                _ -> Fmt("node1 saw ~p connect, not node2 (~s).", [Ups, N2])
            end);
"10" ->
    unregister(tapa_peer),
    register(repl_node2, Main),
    Serve = fun S(Acc) ->
        receive
            learner_done -> lists:reverse(Acc);
            {hello_from, P} = M when is_pid(P) ->
                P ! {hello_back, 42},
                Say("node2 received {:hello_from, ~s}, sent {:hello_back, 42} back", [PidText(P)]),
                S([M | Acc]);
            {nodeup, _, _} -> S(Acc);
            {nodedown, _, _} -> S(Acc);
            M -> S([M | Acc])
        end
    end,
    Got = Serve([]),
    Hello = [P || {hello_from, P} <- Got, is_pid(P)],
    Ok = [P || P <- Hello, node(P) =:= N1],
    Verdict("reaches_registered", Ok =/= [],
            case Got of
                [] -> "nothing reached the process registered as :repl_node2 on node2 (a real erl node). "
                      "A name alone means a process on your own node; to reach node2's, send to the "
                      "tuple {:repl_node2, node2}.";
                _ -> Fmt("node2's :repl_node2 received ~p; expected {:hello_from, pid} with pid a process "
                         "of node1 (~s): send {:hello_from, self()}.", [Got, N1])
            end);
"11" ->
    R = SendToName({hello_from, Main}, fun(X) -> X =:= {hello_back, 42} end),
    Say("node1 sent {:hello_from, ~s} to {:repl_node2, node2}", [PidText(Main)]),
    case R of {got, _} -> WaitDone([]); done -> ok end,
    Verdict("reply_reaches_node1", R =/= done,
            "node1's process (the one that sent {:hello_from, pid}) never received {:hello_back, 42}. "
            "The text '<0.N.0>' is how node1 prints its own pid; on node2 a pid starting with 0 is a "
            "process of node2. Use the pid's text as node2 printed it, in its Received: line.");
"12" ->
    Seen = WaitDone([]),
    %% where the code ran: a process spawned for whoami itself (a remote
    %% spawn), not a worker of rpc that calls it
    Spawned = [P || {whoami, P, {'Elixir.Tapa.Demo', whoami, 0}} <- Seen],
    Called = [{P, IC} || {whoami, P, IC} <- Seen, IC =/= {'Elixir.Tapa.Demo', whoami, 0}],
    Lines = LearnerLines(),
    Check = fun(P) ->
        [ok || L <- Lines, [A, B, _] <- PidsIn(L), B =:= PidNum(P), A =/= "0"] =/= []
    end,
    [Say("node1 printed pid: ~s", [PidText(P)]) || P <- Spawned ++ [P || {P, _} <- Called]],
    Verdict("runs_on_node1", Spawned =/= [] andalso lists:any(Check, Spawned),
            case {Spawned, Called} of
                {[], [{_, IC} | _]} -> Fmt("whoami ran on node1, but called by a process that node1 started for "
                      "something else (its initial call was ~p): that is an rpc, not a spawn. Spawn it: "
                      "Node.spawn(node1, Tapa.Demo, :whoami, []) (tapa_spawn_on).", [IC]);
                {[], []} ->
                    Remote = [ok || L <- Lines, [A, _, _] <- PidsIn(L), A =/= "0"],
                    case Remote of
                        [_ | _] -> "a process was spawned on node1 (node2 printed a pid of node1), but it did not "
                                   "run Tapa.Demo.whoami: check the module and function names, exactly "
                                   "\"Tapa.Demo\" and \"whoami\" (a name node1 does not have ends the process at once).";
                        [] -> "nothing ran Tapa.Demo.whoami on node1 (a real erl node): spawn it there, "
                              "Node.spawn(node1, Tapa.Demo, :whoami, []) (tapa_spawn_on), not with tapa_spawn here."
                    end;
                {[P | _], _} -> Fmt("node1 ran whoami as ~s, but node2 did not print that process as "
                               "#PID<N.~s.0> with N not 0: show the pid Node.spawn returns.", [PidText(P), PidNum(P)])
            end);
"13" ->
    Add = 1 + (Seed rem 999983), %% the seed is fresh and random per run
    AddN = case Add of 42 -> 43; _ -> Add end,
    Fun = CFun('Elixir.TapaMessages', add_n, 1, [AddN]),
    R = SendToName(Fun, fun(_) -> false end),
    Say("node1 sent add_~b = fn x -> x + ~b end (TapaMessages.add_n/1 with ~b captured) to {:repl_node2, node2}",
        [AddN, AddN, AddN]),
    Want = Fmt("result: ~b", [100 + AddN]),
    Lines = LearnerLines(),
    Verdict("applies_the_fun", R =:= done andalso lists:member(Want, Lines),
            Fmt("node1 sent add_~b (fn x -> x + ~b end); node2 should print \"~s\", the fun applied to 100. "
                "Call the function you received (tapa_apply), do not print a number of your own.",
                [AddN, AddN, Want]));
"14" ->
    spawn(fun() -> register(net, self()), receive cut -> Main ! cut end end),
    Sleepers = receive {sleeper, S0} -> [S0]; learner_done -> self() ! learner_done, [] end,
    WasCut = receive cut -> true; learner_done -> self() ! learner_done, false end,
    Monitored = [P || S <- Sleepers, {monitored_by, L} <- [process_info(S, monitored_by)], P <- L, is_pid(P),
                      node(P) =:= N2],
    WasCut andalso erlang:disconnect_node(N2),
    Say("the sleeper on node1: ~p, monitored from node2 by ~p when the connection went", 
        [[PidText(S) || S <- Sleepers], [PidText(P) || P <- Monitored]]),
    WaitDone([]),
    Lines = LearnerLines(),
    Down = [ok || S <- Sleepers, L <- Lines, lists:prefix("{:DOWN, #Reference<", L),
                  lists:suffix(", :noconnection}", L), [A, B, _] <- PidsIn(L), B =:= PidNum(S), A =/= "0"],
    Verdict("down_noconnection", WasCut andalso Monitored =/= [] andalso Down =/= [],
            case {Sleepers, WasCut, Monitored} of
                {[], _, _} -> "nothing ran Tapa.Demo.sleep on node1: the program did not get that far.";
                {_, false, _} -> "node1 was never sent :cut (send({:net, node1}, :cut)).";
                {_, _, []} -> "the process on node1 was not monitored from node2 when the connection went: "
                              "Process.monitor(pid) (tapa_monitor) before the cut.";
                _ -> "node2 did not show {:DOWN, ref, :process, pid, :noconnection} for the process on node1."
            end),
    Verdict("nodedown", lists:member(AtomText(N1), Lines),
            Fmt("node2 did not show ~s: Node.monitor(node1, true) (tapa_monitor_node) asks for it.", [AtomText(N1)]))
end,
Out("@end~n", []),
halt().
